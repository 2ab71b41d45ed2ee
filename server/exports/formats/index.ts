/** Every export format by name. */
import { csv } from './csv.ts';
import { jsonl } from './jsonl.ts';
import { openaiDpo } from './openai-dpo.ts';
import { openaiSft } from './openai-sft.ts';
import { trlDpo } from './trl-dpo.ts';
import { trlKto } from './trl-kto.ts';
import type { Format } from './types.ts';
import { weighted } from './weighted.ts';

export const FORMAT_NAMES = ['openai-sft', 'weighted', 'openai-dpo', 'trl-dpo', 'trl-kto', 'csv', 'jsonl'] as const;
export type FormatName = (typeof FORMAT_NAMES)[number];

export const FORMATS: Record<FormatName, Format> = {
  'openai-sft': openaiSft,
  weighted,
  'openai-dpo': openaiDpo,
  'trl-dpo': trlDpo,
  'trl-kto': trlKto,
  csv,
  jsonl,
};

export type { Format, FormatOptions, Line } from './types.ts';
