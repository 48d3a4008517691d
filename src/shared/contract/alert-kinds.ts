import { z } from 'zod';

/**
 * Alert kinds as data. One descriptor per kind carries everything the contract and the editor
 * need: the zod shape of its parameters, a label, the editor's fields with their units, which
 * scopes it takes and how to summarise a rule. The core pairs each kind with its evaluator
 * (src/main/core/alerts/evaluators.ts, checked to cover every kind here). A new kind is one
 * entry here and one evaluator there; the stored rules keep `kind` as text (no CHECK to rebuild).
 */

const windowMs = z
  .number()
  .int()
  .min(60_000)
  .max(30 * 86_400_000);
const minRuns = z.number().int().min(1).max(1_000_000).default(1);

/** One number the editor asks for. The typed value times `scale` is what is stored. */
export interface AlertField<K extends string = string> {
  key: K;
  label: string;
  /** Shown next to the input: `%`, `ms`, `min`, `jobs`… */
  unit: string;
  /** Stored = typed × scale (a window typed in minutes is stored in ms). Default 1. */
  scale?: number;
  /** What a new rule starts with, in the typed unit. */
  defaultValue: number;
  /** A short hint under the field. */
  hint?: string;
}

/** The scopes a kind can be narrowed to. */
export type AlertScope = 'instance' | 'workflow';

export interface AlertKindDescriptor<P extends z.ZodRawShape = z.ZodRawShape> {
  /** What the kind watches, as the kind picker shows it. */
  label: string;
  /** The kind's parameters (each rule stores them as JSON). */
  params: P;
  /** The editor's fields, in order; one per parameter. */
  fields: readonly AlertField<Extract<keyof P, string>>[];
  /** Which scopes apply: a gauge of the whole console takes none. */
  scopes: readonly AlertScope[];
  /** Unit of an alert's measured value and threshold, for display. */
  valueUnit: string;
  /** `error` for outages (urgent notification), `warn` otherwise. */
  severity: 'warn' | 'error';
  /** One line saying what a rule of this kind watches, from its parameters. */
  summary(params: z.output<z.ZodObject<P>>): string;
}

const defineKind = <P extends z.ZodRawShape>(descriptor: AlertKindDescriptor<P>) => descriptor;

const minutes = (ms: number) => `${Math.round((ms / 60_000) * 100) / 100} min`;
const runs = (n: number) => `${n} run${n === 1 ? '' : 's'}`;
const windowField = { key: 'windowMs', label: 'Window', unit: 'min', scale: 60_000, defaultValue: 15 } as const;
const minRunsField = {
  key: 'minRuns',
  label: 'At least',
  unit: 'runs',
  defaultValue: 5,
  hint: 'Fewer finished runs in the window are not judged.',
} as const;

export const ALERT_KINDS = {
  error_rate: defineKind({
    label: 'Error rate above a percentage',
    params: {
      /** Fires when errors / (succeeded + errors) exceeds this percentage (0–100). */
      thresholdPct: z.number().min(0).max(100),
      /** Looking back this far from now (ms, 1 min – 30 days). */
      windowMs,
      /** Needs at least this many finished runs in the window to judge (default 1). */
      minRuns,
    },
    fields: [{ key: 'thresholdPct', label: 'Above', unit: '%', defaultValue: 10 }, windowField, minRunsField],
    scopes: ['instance', 'workflow'],
    valueUnit: '%',
    severity: 'warn',
    summary: (p) => `error rate > ${p.thresholdPct}% over ${minutes(p.windowMs)} (at least ${runs(p.minRuns)})`,
  }),
  p95_duration: defineKind({
    label: 'p95 run time above a duration',
    params: {
      /** Fires when the p95 run time exceeds this (ms). */
      thresholdMs: z.number().int().min(1),
      windowMs,
      minRuns,
    },
    fields: [{ key: 'thresholdMs', label: 'Above', unit: 'ms', defaultValue: 5_000 }, windowField, minRunsField],
    scopes: ['instance', 'workflow'],
    valueUnit: 'ms',
    severity: 'warn',
    summary: (p) => `p95 run time > ${p.thresholdMs} ms over ${minutes(p.windowMs)} (at least ${runs(p.minRuns)})`,
  }),
  instance_down: defineKind({
    label: 'Instance down',
    params: {},
    fields: [],
    scopes: ['instance'],
    valueUnit: '',
    severity: 'error',
    summary: () => 'instance down',
  }),
  queue_depth: defineKind({
    label: 'Queue depth above a count',
    params: {
      /** Fires when the queue holds more than this many jobs. */
      threshold: z.number().int().min(0),
    },
    fields: [{ key: 'threshold', label: 'Above', unit: 'jobs', defaultValue: 100 }],
    scopes: [],
    valueUnit: 'jobs',
    severity: 'warn',
    summary: (p) => `queue depth > ${p.threshold} jobs`,
  }),
  dead_letter_growth: defineKind({
    label: 'Dead letters growing',
    params: {
      /** Fires when the dead-letter count grew by more than this within the window. */
      threshold: z.number().int().min(0),
      windowMs,
    },
    fields: [{ key: 'threshold', label: 'More than', unit: 'dead letters', defaultValue: 5 }, windowField],
    scopes: [],
    valueUnit: 'dead letters',
    severity: 'warn',
    summary: (p) => `dead letters grow by > ${p.threshold} within ${minutes(p.windowMs)}`,
  }),
};

type Kinds = typeof ALERT_KINDS;
export type AlertKind = Extract<keyof Kinds, string>;
type ParamsOf<K extends AlertKind> = z.ZodObject<Kinds[K]['params']>;

// A kind without parameters adds nothing (zod would say Record<string, never>, which rejects `kind`).
type NoParams<K extends AlertKind> = [keyof Kinds[K]['params']] extends [never] ? true : false;
type OutputOf<K extends AlertKind> = NoParams<K> extends true ? unknown : z.output<ParamsOf<K>>;
type InputOf<K extends AlertKind> = NoParams<K> extends true ? unknown : z.input<ParamsOf<K>>;

/** A rule's condition: its kind and that kind's parameters. */
export type AlertCondition = { [K in AlertKind]: { kind: K } & OutputOf<K> }[AlertKind];
export type AlertConditionInput = { [K in AlertKind]: { kind: K } & InputOf<K> }[AlertKind];

export const ALERT_KIND_IDS = Object.keys(ALERT_KINDS) as AlertKind[];

export const isAlertKind = (value: string): value is AlertKind => Object.hasOwn(ALERT_KINDS, value);

/** The descriptor of a kind, typed loosely (for code that handles every kind alike). */
export const alertKind = (kind: AlertKind): AlertKindDescriptor => ALERT_KINDS[kind] as unknown as AlertKindDescriptor;

const conditionOptions = ALERT_KIND_IDS.map((kind) =>
  z.object({ kind: z.literal(kind), ...ALERT_KINDS[kind].params }).strict(),
);

/** What an alert rule watches; built from the descriptors, one strict object per kind. */
export const alertConditionSchema = z.discriminatedUnion(
  'kind',
  conditionOptions as [(typeof conditionOptions)[number], ...(typeof conditionOptions)[number][]],
) as unknown as z.ZodType<AlertCondition, AlertConditionInput>;

/** The summary line of a condition (`error rate > 10% over 15 min (at least 5 runs)`). */
export const summariseCondition = (condition: AlertCondition): string => {
  const { kind, ...params } = condition;
  return alertKind(kind).summary(params as never);
};
