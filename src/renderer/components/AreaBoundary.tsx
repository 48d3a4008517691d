import { Component, type ErrorInfo, type ReactNode } from 'react';
import styles from './AreaBoundary.module.css';

interface Props {
  /** The area's name, for the message. */
  label: string;
  /** Called before the area is mounted again (e.g. to refetch what it showed). */
  onReload?: () => void;
  children: ReactNode;
}

interface State {
  error: Error | null;
  /** Bumped by "Reload this area": the area is mounted afresh under a new key. */
  generation: number;
}

/**
 * One per area: a render error in an area replaces that area with what happened and a "Reload
 * this area" button; the navigation, the toasts and every other area keep working.
 */
export class AreaBoundary extends Component<Props, State> {
  override state: State = { error: null, generation: 0 };

  static getDerivedStateFromError(error: unknown): Partial<State> {
    return { error: error instanceof Error ? error : new Error(String(error)) };
  }

  override componentDidCatch(error: unknown, info: ErrorInfo): void {
    // The console of the window (devtools, or the host's logs in e2e) keeps the stack for a bug report.
    console.error(`The ${this.props.label} area failed while rendering`, error, info.componentStack);
  }

  private reload = () => {
    this.props.onReload?.();
    this.setState((s) => ({ error: null, generation: s.generation + 1 }));
  };

  override render() {
    const { error, generation } = this.state;
    if (error) {
      return (
        <section className={styles.failed} role="alert" data-testid="area-error">
          <h1>{this.props.label} stopped working</h1>
          <p>
            Something in this area failed while it was being shown, and it was stopped so the rest of the console keeps
            working. Nothing was changed by this.
          </p>
          <pre className={styles.detail}>{error.message}</pre>
          <button type="button" className="primary" onClick={this.reload} data-testid="area-reload" autoFocus>
            Reload this area
          </button>
        </section>
      );
    }
    return (
      <div key={generation} className={styles.area}>
        {this.props.children}
      </div>
    );
  }
}
