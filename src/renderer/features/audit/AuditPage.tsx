import { AuditView } from './AuditView';

/** The audit log as an area of its own: every area's actions, filtered by target and action. */
export function AuditPage() {
  return (
    <section className="page" aria-labelledby="audit-title">
      <h1 id="audit-title">Audit log</h1>
      <AuditView />
    </section>
  );
}
