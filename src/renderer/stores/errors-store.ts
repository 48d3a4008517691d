import { create } from 'zustand';
import type { AppErrorData } from '../../shared/result';

export interface ShownError extends AppErrorData {
  id: number;
}

interface ErrorsState {
  errors: ShownError[];
  report(error: AppErrorData): void;
  dismiss(id: number): void;
}

let nextId = 1;

/** The one place errors appear: every failed call lands here, newest first, at most five. */
export const useErrors = create<ErrorsState>((set) => ({
  errors: [],
  report: (error) => set((s) => ({ errors: [{ ...error, id: nextId++ }, ...s.errors].slice(0, 5) })),
  dismiss: (id) => set((s) => ({ errors: s.errors.filter((e) => e.id !== id) })),
}));
