import { describe, expect, it } from 'vitest';
import { AppError } from '../../../shared/result';
import { failureText } from './failure-text';

describe('a failed drafts action, in words', () => {
  it('says what failed, the reason, and what to do for the code', () => {
    expect(
      failureText('Restoring version #3', new AppError('NOT_FOUND', 'Draft d1 has no version 3 in its history.')),
    ).toBe(
      'Restoring version #3 failed: Draft d1 has no version 3 in its history. It is gone (deleted meanwhile?): go back to the drafts list and open it again.',
    );
    expect(failureText('Updating from n8n', new AppError('N8N_UNREACHABLE', 'connect ECONNREFUSED'))).toBe(
      'Updating from n8n failed: connect ECONNREFUSED. n8n cannot be reached: check the instance on the Instances page, then try again.',
    );
  });

  it('a reason without a code still gets a next step, and one full stop', () => {
    expect(failureText('Comparing the two versions', new Error('This draft is not in n8n yet.'))).toBe(
      'Comparing the two versions failed: This draft is not in n8n yet. Try again; if it keeps failing, the core’s log says why.',
    );
  });
});
