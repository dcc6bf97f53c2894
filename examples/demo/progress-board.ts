/** Where the board writes: process.stdout, or any stream with `write` (and maybe `isTTY`). */
export interface BoardOutput {
  write(text: string): unknown;
  readonly isTTY?: boolean;
}

interface Row {
  readonly label: string;
  percent: number;
  /** Set once the work ended: "done in 812 ms", "failed: cancelled". */
  outcome?: string;
  /** Plain mode: the last quarter (0..3) printed, so each is printed once. */
  printedQuarter: number;
}

const BAR_WIDTH = 24;
const LABEL_WIDTH = 12;

/**
 * Progress bars for several pieces of work at once. On a terminal the rows are redrawn in
 * place with ANSI escapes as progress arrives; anywhere else (a pipe, a log file, a test)
 * each row prints a plain line at every quarter and when it ends, so logs stay readable.
 */
export class ProgressBoard {
  private readonly rows = new Map<string, Row>();
  private readonly order: string[] = [];
  private drawnLines = 0;
  private readonly live: boolean;
  /** Lines shown under the bars (what happened to the connection). */
  private readonly notes: string[] = [];

  constructor(private readonly out: BoardOutput) {
    this.live = out.isTTY === true;
  }

  add(key: string, label: string): void {
    this.rows.set(key, { label, percent: 0, printedQuarter: 0 });
    this.order.push(key);
    if (this.live) this.redraw();
    else this.out.write(`${this.format(this.rows.get(key)!)}\n`);
  }

  update(key: string, percent: number): void {
    const row = this.rows.get(key);
    if (!row || row.outcome !== undefined) return;
    row.percent = Math.max(0, Math.min(100, percent));
    if (this.live) return this.redraw();
    // 100 % is left to `end`, which prints the outcome on the same line.
    const quarter = Math.min(3, Math.floor(row.percent / 25));
    if (quarter > row.printedQuarter) {
      row.printedQuarter = quarter;
      this.out.write(`${this.format(row)}\n`);
    }
  }

  end(key: string, outcome: string): void {
    const row = this.rows.get(key);
    if (!row) return;
    row.outcome = outcome;
    if (this.live) this.redraw();
    else this.out.write(`${this.format(row)}\n`);
  }

  /** A line under the bars: kept in place on a terminal, printed as it comes elsewhere. */
  note(text: string): void {
    this.notes.push(text);
    if (this.live) this.redraw();
    else this.out.write(`  ${text}\n`);
  }

  private redraw(): void {
    // Move back to the first row, then rewrite every row (clearing what was there).
    let text = this.drawnLines > 0 ? `\x1b[${this.drawnLines}A` : "";
    for (const key of this.order) text += `\r\x1b[2K${this.format(this.rows.get(key)!)}\n`;
    for (const note of this.notes) text += `\r\x1b[2K  ${note}\n`;
    this.drawnLines = this.order.length + this.notes.length;
    this.out.write(text);
  }

  private format(row: Row): string {
    const filled = Math.round((row.percent / 100) * BAR_WIDTH);
    const bar = "█".repeat(filled) + "░".repeat(BAR_WIDTH - filled);
    const percent = `${Math.round(row.percent)}%`.padStart(4);
    const outcome = row.outcome === undefined ? "" : `  ${row.outcome}`;
    return `  ${row.label.padEnd(LABEL_WIDTH)} ${bar} ${percent}${outcome}`;
  }
}
