import { useEffect, useState } from 'react';
import type { EventPayload } from '../../../shared/contract';
import { api } from '../../api/client';

export type Progress = EventPayload<'backups:progress'>;

/** The latest `backups:progress` event of one operation (null until the first arrives). */
export function useProgress(operationId: string | null): Progress | null {
  const [progress, setProgress] = useState<Progress | null>(null);
  useEffect(() => {
    setProgress(null);
    if (!operationId) return;
    return api.on('backups:progress', (p) => {
      if (p.operationId === operationId) setProgress(p);
    });
  }, [operationId]);
  return progress;
}
