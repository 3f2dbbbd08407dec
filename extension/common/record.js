/**
 * Builds the feedback records of docs/contracts.md from what the user chose
 * in the panel. Pure functions: no DOM, no chrome.* calls.
 */

/** Returns the fields every record about one answer shares. */
export function baseRecord(ctx) {
  return {
    site: ctx.site,
    conversation_id: ctx.conversationId ?? null,
    message_id: ctx.messageId ?? null,
    model_name: ctx.modelName ?? null,
    prompt: ctx.prompt,
    answer: ctx.answer,
    licence: ctx.licence ?? null,
    captured_at: ctx.capturedAt ?? new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
  };
}

/**
 * Turns the panel state into one record, or none when nothing was chosen.
 * One record per answer, because the server lets a user's newer feedback on
 * an answer replace the older one: the kind is pairwise when another answer
 * was compared, else correction when the edited answer differs, else rating;
 * the rating, tags, spans and comment travel with whichever kind it is.
 */
export function buildRecords(ctx, state) {
  const corrected = state.correctedText?.trim();
  const hasCorrection = !!corrected && corrected !== ctx.answer.trim();
  const hasPair = !!(state.choice && state.other);
  const rating = state.rating === 1 || state.rating === -1 ? state.rating : null;
  if (!hasPair && !hasCorrection && rating === null) return [];
  const record = {
    ...baseRecord(ctx),
    kind: hasPair ? 'pairwise' : hasCorrection ? 'correction' : 'rating',
    rating,
    tags: [...(state.tags ?? [])],
    spans: (state.spans ?? []).map(({ start, end, tag }) => ({ start, end, tag })),
    comment: state.comment?.trim() || null,
    corrected_text: hasCorrection ? corrected : null,
  };
  if (hasPair) {
    record.other_answer = {
      message_id: state.other.messageId ?? null,
      text: state.other.text,
      model_name: state.other.modelName ?? null,
    };
    record.choice = state.choice;
  }
  return [record];
}

/** Says why a record set cannot be sent, or returns null when it can. */
export function missingInput(ctx, records) {
  if (!ctx.prompt?.trim()) return 'The prompt is empty: paste the question that led to this answer.';
  if (!ctx.answer?.trim()) return 'The answer is empty.';
  if (!records.length) return 'Choose 👍 or 👎, suggest a correction, or pick A or B.';
  return null;
}
