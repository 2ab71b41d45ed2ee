import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../../store/open.ts';
import { openTestStore } from '../../../test/helpers/backend.ts';
import { seedRatings } from '../../../test/helpers/ratings.ts';
import { emptyCounts, exportLines, prepareExport } from '../stream.ts';
import { csv } from './csv.ts';

let store: Store;

const DANGEROUS = ['=HYPERLINK("http://evil.example","x")', '+1+cmd|calc', '-2+3', '@SUM(A1:A9)', '\t=1', '\r=1', '＝1+1', '＋1', '－1', '＠x'];

beforeAll(async () => {
  store = await openTestStore();
  await seedRatings(
    store,
    'w',
    DANGEROUS.map((text, i) => ({
      prompt: text,
      output: text,
      comment: text,
      tags: [text.replace(/[\t\r]/g, '') || 'x'],
      label: 'safe',
      thumb: 'up',
      model: i === 0 ? '=1+1' : 'gpt',
      conversationId: `c${i}`,
    })),
  );
  await seedRatings(store, 'w', [{ prompt: 'He said "hi",\nthen left', output: 'a,b;"c"\r\nd', thumb: 'down', conversationId: 'q' }]);
});
afterAll(() => store.close());

async function exportCsv(): Promise<string> {
  let text = csv.header!;
  for await (const line of exportLines(store.db, 'w', prepareExport({ format: 'csv', filters: { all: true } }), emptyCounts())) text += line.text;
  return text;
}

describe('csv', () => {
  it('neutralises every cell that a spreadsheet would run as a formula', async () => {
    const rows = parse(await exportCsv(), { columns: true }) as Record<string, string>[];
    expect(rows).toHaveLength(DANGEROUS.length + 1);
    const risky = /^[=+\-@\t\r＝＋－＠]/;
    for (const row of rows) for (const [col, cell] of Object.entries(row)) expect(risky.test(cell), `${col}: ${JSON.stringify(cell)}`).toBe(false);
    for (const text of DANGEROUS) {
      // A CR is a line break too, so the line after it is neutralised as well (issue 13, item 1).
      const safe = `'${text}`.replace(/\r(?=[=+\-@])/g, "\r'");
      const row = rows.find((r) => r.prompt === safe);
      expect(row, text).toBeDefined();
      expect(row!.output).toBe(safe);
      expect(row!.comment).toBe(safe);
    }
    expect(rows.find((r) => r.model === "'=1+1")).toBeDefined();
  });

  it('keeps quotes, commas and line breaks inside cells intact', async () => {
    const rows = parse(await exportCsv(), { columns: true }) as Record<string, string>[];
    const row = rows.find((r) => r.conversationId === 'q')!;
    expect(row.prompt).toBe('He said "hi",\nthen left');
    expect(row.output).toBe('a,b;"c"\r\nd');
    expect(row.thumb).toBe('down');
  });

  it('keeps the header it always had, with the new columns last (criterion, then the source and queue), each cell from the record', async () => {
    // Pinned by hand on purpose: spreadsheets and scripts read these columns by position.
    expect(csv.header).toBe(
      'id,createdAt,updatedAt,receivedAt,workspaceId,raterId,kind,key,site,url,model,intent,project,subject,conversationId,' +
        'thumb,stars,label,comment,tags,prompt,output,correction,context,criterion,sourceType,channel,judge,queueId\r\n',
    );
    const rows = parse(await exportCsv(), { columns: true }) as Record<string, string>[];
    const row = rows.find((r) => r.conversationId === 'c1')!;
    expect(row).toMatchObject({ thumb: 'up', label: 'safe', criterion: 'overall', correction: '', sourceType: 'human', judge: '', queueId: '' });
    expect(['api', 'extension']).toContain(row.channel);
    expect(row.tags).toBe("'+1+cmd|calc");
  });
});
