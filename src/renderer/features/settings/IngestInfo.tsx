import { LoadError } from '../../components/LoadError';
import { useCall } from '../../data/calls';

/** Where other programs send events, and how they sign them (the secret stays in its file). */
export function IngestInfo() {
  const query = useCall('ingest:info', {});
  if (query.isError)
    return <LoadError what="the event ingest address" error={query.error} retry={() => void query.refetch()} />;
  const info = query.data;
  if (!info) return null;
  return (
    <section className="form" aria-labelledby="ingest-title" data-testid="ingest-info">
      <h2 id="ingest-title">Event ingest</h2>
      {info.url ? (
        <p>
          Signed events are accepted at <code>{info.url}/events/&lt;event&gt;</code>.
        </p>
      ) : (
        <p className="invalid">{info.problem}</p>
      )}
      <p className="muted">
        The HMAC secret is in <code>{info.secretFile}</code> (readable by you only). On this machine,{' '}
        <code>npx flightdeck emit &lt;event&gt; --data payload.json</code> signs for you.
      </p>
    </section>
  );
}
