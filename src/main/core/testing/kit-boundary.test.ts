import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

// The lint rule that keeps the test kit out of the product (eslint.config.js), proven on probe
// files: a rule whose pattern stopped matching would otherwise pass `npm run lint` silently.
const eslint = new ESLint({ cwd: process.cwd() });

async function kitErrors(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? [])
    .filter((m) => m.ruleId === '@typescript-eslint/no-restricted-imports')
    .map((m) => m.message);
}

describe('the test kit is lint-barred from production code', () => {
  it('refuses kit imports, type-only ones too, from core, host and renderer files', async () => {
    const probes: [string, string][] = [
      [
        'src/main/core/queue/probe.ts',
        "import { ManualClock } from '../testing/manual-clock';\nexport const c = ManualClock;\n",
      ],
      ['src/main/core/probe.ts', "import type { FakeN8n } from './testing/fake-n8n';\nexport type F = FakeN8n;\n"],
      ['src/main/host/probe.ts', "import { tempDir } from '../core/testing/test-core';\nexport const t = tempDir;\n"],
    ];
    for (const [file, code] of probes) {
      expect(await kitErrors(file, code), file).toEqual([expect.stringContaining('test kit')]);
    }
  });

  it('lets tests, benches and the kit itself import it', async () => {
    const code = "import { ManualClock } from '../testing/manual-clock';\nexport const c = ManualClock;\n";
    expect(await kitErrors('src/main/core/queue/probe.test.ts', code)).toEqual([]);
    expect(
      await kitErrors(
        'src/main/core/testing/probe.ts',
        "import { ManualClock } from './manual-clock';\nexport const c = ManualClock;\n",
      ),
    ).toEqual([]);
    expect(
      await kitErrors(
        'tests/bench/probe.bench.ts',
        "import { tempDir } from '../../src/main/core/testing/test-core';\nexport const t = tempDir;\n",
      ),
    ).toEqual([]);
  });
});
