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
