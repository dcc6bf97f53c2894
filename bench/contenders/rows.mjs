/**
 * The rows every contender answers in the large-payload scenarios: made once per count and
 * returned as they are, so a call measures encoding and transport, not building the data.
 */
const made = new Map();

export function benchRows(count) {
  let rows = made.get(count);
  if (rows === undefined) {
    rows = Array.from({ length: count }, (_, i) => ({
      id: i + 1,
      sku: `SKU-${String(i + 1).padStart(6, "0")}`,
      name: `Widget ${i + 1}`,
      quantity: (i * 37) % 100,
      price: Math.round((i + 1) * 199.9) / 100,
      inStock: i % 4 !== 0,
    }));
    made.set(count, rows);
  }
  return rows;
}

/** Throws unless `rows` are the `count` rows of benchRows (what a client checks it got). */
export function checkRows(rows, count) {
  const last = rows?.[count - 1];
  if (rows?.length !== count || last?.id !== count || typeof last.name !== "string") {
    throw new Error(`rows(${count}) answered ${JSON.stringify(rows)?.slice(0, 80)}`);
  }
}
