import { create } from 'zustand';
import type { Schedule } from '../../../shared/contract';
import { api, send } from '../../api/client';

interface SchedulesState {
  schedules: Schedule[] | null;
  /** Bumped on every recorded tick, so an open ledger knows to reload. */
  tickVersion: number;
  /** Loads once and follows schedules:changed / schedules:tick: a cache of core. */
  start(): () => void;
  reload(): Promise<void>;
}

export const useSchedules = create<SchedulesState>((set, get) => ({
  schedules: null,
  tickVersion: 0,

  start() {
    void get().reload();
    // Ticks can arrive every second: reload at most once per second, never two at a time.
    let inFlight = false;
    let again = false;
    const refresh = () => {
      if (inFlight) {
        again = true;
        return;
      }
      inFlight = true;
      void get()
        .reload()
        .catch(() => undefined)
        .then(() => new Promise((resolve) => setTimeout(resolve, 1000)))
        .finally(() => {
          inFlight = false;
          if (again) {
            again = false;
            refresh();
          }
        });
    };
    const offChanged = api.on('schedules:changed', () => void get().reload());
    const offTick = api.on('schedules:tick', () => {
      set((s) => ({ tickVersion: s.tickVersion + 1 }));
      refresh();
    });
    return () => {
      offChanged();
      offTick();
    };
  },

  async reload() {
    const { schedules } = await send('schedules:list', {});
    set({ schedules });
  },
}));

/** The zone this window runs in: "the operator's" zone next to the schedule's own. */
export const operatorZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
