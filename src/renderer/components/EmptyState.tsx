import styles from './shared.module.css';

export function EmptyState({ title, children }: { title: string; children: React.ReactNode }) {
  return (
    <div className={`${styles.empty} empty-state`} data-testid="empty-state">
      <h2>{title}</h2>
      <p>{children}</p>
    </div>
  );
}
