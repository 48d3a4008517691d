import type { Approval } from '../../../shared/contract';

const shown = (value: string | number | boolean | null) => (value === null ? '—' : String(value));

/** The fields a registration sent, on one line for the inbox row: `amount: 40 · customer: ana`. */
export function fieldsLine(item: Approval, max = 3): string {
  const fields = item.fields ?? [];
  const line = fields
    .slice(0, max)
    .map((f) => `${f.name}: ${shown(f.value)}`)
    .join(' · ');
  return fields.length > max ? `${line} · +${fields.length - max} more` : line;
}

/** "ana, bob, or the editor role or higher": who the workflow lets decide (team mode). */
export function allowedWords(allowed: NonNullable<Approval['allowed']>): string {
  const parts = [...allowed.users];
  if (allowed.role) parts.push(allowed.role === 'admin' ? 'admins' : `the ${allowed.role} role or higher`);
  return parts.length > 1 ? `${parts.slice(0, -1).join(', ')}, or ${parts.at(-1)}` : (parts[0] ?? '');
}

/** Where an n8n wait came from, for the inbox row's second line. */
export const waitOrigin = (item: Approval) => (item.source === 'flightdeck-node' ? 'Flightdeck node' : 'n8n wait');

/** The registration's longer text and its fields, in the order the workflow sent them. */
export function ApprovalFields(props: { item: Approval }) {
  const { description, fields } = props.item;
  if (!description && !fields?.length) return null;
  return (
    <section data-testid="detail-fields" aria-label="What the workflow asks">
      {description && <p className="approval-description">{description}</p>}
      {fields?.length ? (
        <table className="table">
          <tbody>
            {fields.map((f) => (
              <tr key={f.name}>
                <th scope="row">{f.name}</th>
                <td>{shown(f.value)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}
