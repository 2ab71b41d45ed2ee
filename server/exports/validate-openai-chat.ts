/**
 * The format checks OpenAI publishes for chat fine-tuning data ("Data preparation and analysis
 * for chat model fine-tuning", OpenAI Cookbook), as a function: an export must pass them before
 * a trainer sees it. Returns the problems found (empty: valid).
 *
 * - every example is an object with a non-empty `messages` list;
 * - message keys are only role, content, name, weight;
 * - roles are system, user or assistant;
 * - content is a non-empty string;
 * - at least one assistant message;
 * - weight, where present, is 0 or 1 and only on assistant messages.
 */

const MESSAGE_KEYS = new Set(['role', 'content', 'name', 'weight']);
const ROLES = new Set(['system', 'user', 'assistant']);
const TOP_LEVEL_KEYS = new Set(['messages', 'tools', 'parallel_tool_calls']);

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function checkMessages(messages: unknown, where: string, problems: string[], options: { needAssistant: boolean }): void {
  if (!Array.isArray(messages) || messages.length === 0) {
    problems.push(`${where}: missing or empty messages list`);
    return;
  }
  let assistants = 0;
  messages.forEach((m, i) => {
    const at = `${where}[${i}]`;
    if (!isObject(m)) {
      problems.push(`${at}: not an object`);
      return;
    }
    for (const k of Object.keys(m)) if (!MESSAGE_KEYS.has(k)) problems.push(`${at}: unrecognized key ${k}`);
    if (typeof m.role !== 'string' || !ROLES.has(m.role)) problems.push(`${at}: unrecognized role ${JSON.stringify(m.role)}`);
    if (typeof m.content !== 'string' || m.content.length === 0) problems.push(`${at}: content missing, empty or not a string`);
    if ('weight' in m) {
      if (m.role !== 'assistant') problems.push(`${at}: weight on a ${String(m.role)} message (only assistant messages take one)`);
      if (m.weight !== 0 && m.weight !== 1) problems.push(`${at}: weight must be 0 or 1`);
    }
    if (m.role === 'assistant') assistants++;
  });
  if (options.needAssistant && assistants === 0) problems.push(`${where}: no assistant message`);
}

/** Supervised chat fine-tuning example: {messages: […]}. */
export function validateOpenAIChatExample(example: unknown): string[] {
  const problems: string[] = [];
  if (!isObject(example)) return ['example is not an object'];
  for (const k of Object.keys(example)) if (!TOP_LEVEL_KEYS.has(k)) problems.push(`unrecognized top-level key ${k}`);
  checkMessages(example.messages, 'messages', problems, { needAssistant: true });
  return problems;
}

/** Preference (DPO) example: {input: {messages}, preferred_output: [assistant], non_preferred_output: [assistant]}. */
export function validateOpenAIPreferenceExample(example: unknown): string[] {
  const problems: string[] = [];
  if (!isObject(example)) return ['example is not an object'];
  for (const k of Object.keys(example)) {
    if (!['input', 'preferred_output', 'non_preferred_output'].includes(k)) problems.push(`unrecognized top-level key ${k}`);
  }
  if (!isObject(example.input)) problems.push('input is not an object');
  else {
    checkMessages(example.input.messages, 'input.messages', problems, { needAssistant: false });
    const msgs = example.input.messages;
    if (Array.isArray(msgs) && isObject(msgs[msgs.length - 1]) && (msgs[msgs.length - 1] as Record<string, unknown>).role !== 'user') {
      problems.push('input.messages must end with a user message');
    }
  }
  for (const key of ['preferred_output', 'non_preferred_output'] as const) {
    const out = example[key];
    checkMessages(out, key, problems, { needAssistant: true });
    if (Array.isArray(out) && (out.length !== 1 || !isObject(out[0]) || out[0].role !== 'assistant')) {
      problems.push(`${key} must be exactly one assistant message`);
    }
  }
  const p = example.preferred_output;
  const n = example.non_preferred_output;
  if (Array.isArray(p) && Array.isArray(n) && isObject(p[0]) && isObject(n[0]) && p[0].content === n[0].content) {
    problems.push('preferred and non-preferred outputs are identical');
  }
  return problems;
}
