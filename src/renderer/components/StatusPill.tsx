import type { ReactNode } from 'react';
import styles from './StatusPill.module.css';

/** The five meanings a status can have; the colours live in tokens.css (--status-*). */
export type Tone = 'ok' | 'warn' | 'danger' | 'info' | 'neutral';

/**
 * A status word in a pill, coloured by what it means, the same in every area. Scoped styles: no
 * page's `.badge` rule can repaint it.
 */
export function StatusPill({
  tone,
  children,
  title,
  testId,
  value,
}: {
  tone: Tone;
  children: ReactNode;
  title?: string;
  testId?: string;
  /** The raw status, for tests and styling hooks (data-status). */
  value?: string;
}) {
  return (
    <span
      className={`${styles.pill} ${styles[tone]}`}
      title={title}
      data-testid={testId}
      data-tone={tone}
      data-status={value}
    >
      {children}
    </span>
  );
}
