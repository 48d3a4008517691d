import { useEffect, useState } from 'react';
import { send } from '../../api/client';
import { CanButton } from '../../components/Guarded';
import { shownAsToast } from '../../data/calls';

const DAY = 86_400_000;

/** The hold limit: how long runs may wait for an offline instance before they are dead-lettered. */
export function HoldLimit({ holdLimitMs }: { holdLimitMs: number }) {
  const [days, setDays] = useState(String(holdLimitMs / DAY));
  const [saved, setSaved] = useState(false);
  useEffect(() => setDays(String(holdLimitMs / DAY)), [holdLimitMs]);
  const value = Number(days);
  const valid = Number.isFinite(value) && value >= 1 / 24 && value <= 90;
  const dirty = valid && Math.round(value * DAY) !== holdLimitMs;

  const save = async (event: React.FormEvent) => {
    event.preventDefault();
    if (!dirty) return;
    await send('queue:updateSettings', { settings: { holdLimitMs: Math.round(value * DAY) } });
    setSaved(true);
    setTimeout(() => setSaved(false), 2000);
  };

  return (
    <form className="queue-hold-limit small" onSubmit={(e) => void save(e).catch(shownAsToast)}>
      <label>
        Runs wait for an offline instance up to{' '}
        <input
          type="number"
          min={0.05}
          max={90}
          step="any"
          value={days}
          onChange={(e) => setDays(e.target.value)}
          aria-invalid={!valid}
          data-testid="queue-hold-limit"
        />{' '}
        days, then become dead letters.
      </label>
      <CanButton channel="queue:updateSettings" type="submit" disabled={!dirty} data-testid="queue-hold-limit-save">
        Save
      </CanButton>
      {!valid && <span className="invalid">1 hour (0.05) to 90 days.</span>}
      {saved && <span role="status">Saved.</span>}
    </form>
  );
}
