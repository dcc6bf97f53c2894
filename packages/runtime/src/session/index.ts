/** The session layer shared by server and client: seq, acks, replay, conflation, handshake. */
export { ConflationQueue } from "./conflation.js";
export {
  joinOverhead,
  jsonSequenceEncoding,
  utf8Length,
  type Frame,
  type SequenceEncoding,
} from "./frame.js";
export { msgpackSequenceEncoding } from "./msgpack-frame.js";
export {
  Coalescer,
  batchFeature,
  coalescedFrameBytes,
  coalescedFrameMessages,
  firstFrameMessages,
  type CoalescerOptions,
  type FrameSink,
  type TurnScheduler,
} from "./coalescer.js";
export {
  ackFrame,
  ackFrameIn,
  ackMethod,
  parseAck,
  parseSessionAnswer,
  parseSessionRequest,
  sessionMethod,
  type SessionAnswer,
  type SessionRequest,
} from "./handshake.js";
export {
  InboundStream,
  defaultAckPolicy,
  type AckPolicy,
  type AckSender,
  type SeqVerdict,
} from "./inbound.js";
export { OutboundStream, type OutboundOptions, type Wire } from "./outbound.js";
export { SessionCloseCode, SessionReason, type SessionReasonValue } from "./reasons.js";
