/* trace: a request trace read into memory, for replay by the arrival process (arrivals.h).
 *
 * Format read: the Azure LLM inference trace CSV (Azure/AzurePublicDataset,
 * AzureLLMInferenceTrace_{code,conv}.csv; Patel et al., "Splitwise", ISCA 2024):
 *
 *     TIMESTAMP,ContextTokens,GeneratedTokens
 *     2023-11-16 18:15:46.6805900,374,44
 *
 * - The header row is required. It must name the three columns; they may come in any order
 *   and other columns are ignored (the 2024 release adds none, but a user's export might).
 *   A UTF-8 byte-order mark before the header is skipped.
 * - TIMESTAMP is `YYYY-MM-DD HH:MM:SS[.fraction]` (a `T` instead of the blank is accepted)
 *   with 0 to 9 fractional digits (Azure writes 7, i.e. 100 ns). It is converted to integer
 *   nanoseconds with integer arithmetic only (civil date to days: H. Hinnant,
 *   "chrono-compatible low-level date algorithms", days_from_civil), so no precision is lost
 *   whatever the date. The time is read as UTC (the trace has no zone); only differences
 *   matter for replay.
 * - ContextTokens and GeneratedTokens are integers in [0, 2^31 - 1].
 * - Rows must be in non-decreasing time order (equal timestamps are allowed). A row earlier
 *   than the one before it is an error naming both lines, not silently sorted: the Azure
 *   files are sorted, so disorder means a damaged or concatenated file, which a user should
 *   see (`(head -n1 f; tail -n+2 f | sort) > g` sorts one).
 * - Lines may end in LF or CRLF. Blank lines are allowed only at the end. A file with a header
 *   and no rows is an error.
 *
 * Errors are values: the struct error carries the CSV file, its 1-based line and the column
 * (1-based character position of the offending cell); `path` is empty (a CSV has no key
 * path). Callers that read the file name from YAML (arrivals.c) relocate the error to the
 * YAML key and keep the CSV location in the message.
 *
 * Memory: the whole trace is held as three arrays, 16 bytes a row (8 for time, 4 + 4 for the
 * tokens): 310 KB for the 19,366 rows of conv.csv. Loading it whole rather than streaming
 * finds every malformed row before the run starts (bad input must never produce a partial
 * result), and lets replay loop and skip to an offset without re-reading the file. */
#ifndef HAISIM_TRACE_H
#define HAISIM_TRACE_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"

struct trace {
    size_t n_rows;
    int64_t *time_ns;       /* offset of each row from the first row; time_ns[0] == 0,
                               non-decreasing */
    int32_t *prompt_tokens; /* ContextTokens */
    int32_t *output_tokens; /* GeneratedTokens */
    int64_t first_unix_ns;  /* the first row's timestamp, ns since 1970-01-01 00:00 UTC */
};

/* Reads an Azure LLM inference trace CSV (format above) into t. On failure returns -1, fills
 * err (file = path, line, col) and leaves t empty (safe to free). */
int trace_load_azure(struct trace *t, const char *path, struct error *err);

/* Releases the arrays and empties t. Safe on a zeroed or already freed trace. */
void trace_free(struct trace *t);

/* Parses a TIMESTAMP cell ("2023-11-16 18:15:46.6805900") into ns since the Unix epoch,
 * read as UTC. Returns 0, or -1 when the text is not a valid date and time: years 1900 to
 * 2200 (int64 nanoseconds reach 1677 to 2262), real calendar days including 29 February of
 * leap years, hours 0-23, minutes and seconds 0-59, at most 9 fractional digits, nothing
 * after them. */
int trace_parse_timestamp(const char *text, int64_t *unix_ns);

/* Time from the first to the last row, in seconds (0 for fewer than two rows). */
double trace_duration_s(const struct trace *t);

#endif
