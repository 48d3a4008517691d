/** Rows beyond this many are left to the raw JSON below. */
const MAX_ROWS = 200;

/** The payload's leaves as dotted paths: `customer.name` → "Acme", `items.0.sku` → "A-1". */
export function flattenPayload(payload: unknown, limit = MAX_ROWS): { path: string; value: string }[] {
  const rows: { path: string; value: string }[] = [];
  const walk = (value: unknown, path: string) => {
    if (rows.length >= limit) return;
    if (value !== null && typeof value === 'object') {
      const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value);
      if (entries.length === 0) rows.push({ path: path || '(payload)', value: Array.isArray(value) ? '[]' : '{}' });
      for (const [key, child] of entries) walk(child, path ? `${path}.${key}` : key);
      return;
    }
    rows.push({
      path: path || '(payload)',
      value: typeof value === 'string' ? value : value === undefined ? '—' : JSON.stringify(value),
    });
  };
  walk(payload, '');
  return rows;
}

/** The payload as a table of its fields (what an approver reads), with the raw JSON one click away. */
export function PayloadFields({ payload }: { payload: unknown }) {
  const rows = flattenPayload(payload);
  return (
    <div data-testid="detail-payload">
      <table className="table payload-fields">
        <tbody>
          {rows.map((r) => (
            <tr key={r.path}>
              <th scope="row">
                <code>{r.path}</code>
              </th>
              <td data-testid="payload-value">{r.value}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {rows.length >= MAX_ROWS && <p className="muted">Only the first {MAX_ROWS} fields are listed.</p>}
      <details>
        <summary>Raw JSON</summary>
        <pre className="code">{JSON.stringify(payload, null, 2)}</pre>
      </details>
    </div>
  );
}
