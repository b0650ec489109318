/* trace: the Azure LLM inference trace CSV read into memory (see trace.h). */
#include "trace.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "infile.h"

static const char *const trace_azure_columns[] = {"TIMESTAMP", "ContextTokens", "GeneratedTokens"};
enum { TRACE_COLUMNS = 3 };

/* --- timestamps --- */

/* Reads exactly n decimal digits at *p into *out and advances *p. */
static bool trace_digits(const char **p, int n, int *out)
{
    int value = 0;
    for (int i = 0; i < n; i++) {
        char c = (*p)[i];
        if (c < '0' || c > '9')
            return false;
        value = 10 * value + (c - '0');
    }
    *p += n;
    *out = value;
    return true;
}

static bool trace_is_leap(int year)
{
    return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

static int trace_days_in_month(int year, int month)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return month == 2 && trace_is_leap(year) ? 29 : days[month - 1];
}

/* Days from 1970-01-01 to year-month-day in the proleptic Gregorian calendar: Hinnant's
 * days_from_civil. Years are shifted to start on 1 March, so the leap day is the last day
 * of the shifted year; an era is the 400-year cycle of 146,097 days. */
static int64_t trace_days_from_civil(int64_t year, int month, int day)
{
    year -= month <= 2;
    int64_t era = (year >= 0 ? year : year - 399) / 400;
    int64_t year_of_era = year - era * 400; /* [0, 399] */
    int64_t day_of_year = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
    int64_t day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    return era * 146097 + day_of_era - 719468;
}

int trace_parse_timestamp(const char *text, int64_t *unix_ns)
{
    const char *p = text;
    int year, month, day, hour, minute, second;
    if (!trace_digits(&p, 4, &year) || *p++ != '-' || !trace_digits(&p, 2, &month) || *p++ != '-' ||
        !trace_digits(&p, 2, &day) || (*p != ' ' && *p != 'T'))
        return -1;
    p++;
    if (!trace_digits(&p, 2, &hour) || *p++ != ':' || !trace_digits(&p, 2, &minute) ||
        *p++ != ':' || !trace_digits(&p, 2, &second))
        return -1;
    int64_t fraction_ns = 0;
    if (*p == '.') {
        p++;
        int count = 0;
        for (; *p >= '0' && *p <= '9'; p++, count++) {
            if (count == 9)
                return -1; /* finer than a nanosecond */
            fraction_ns = 10 * fraction_ns + (*p - '0');
        }
        if (count == 0)
            return -1;
        for (; count < 9; count++)
            fraction_ns *= 10;
    }
    if (*p != '\0')
        return -1;
    if (year < 1900 || year > 2200 || month < 1 || month > 12 || day < 1 ||
        day > trace_days_in_month(year, month) || hour > 23 || minute > 59 || second > 59)
        return -1;
    int64_t seconds =
        trace_days_from_civil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second;
    *unix_ns = seconds * INT64_C(1000000000) + fraction_ns;
    return 0;
}

/* --- CSV --- */

/* A token count: decimal digits only, at most 2^31 - 1. */
static bool trace_parse_tokens(const char *text, int32_t *out)
{
    int64_t value = 0;
    if (*text == '\0')
        return false;
    for (const char *p = text; *p; p++) {
        if (*p < '0' || *p > '9')
            return false;
        value = 10 * value + (*p - '0');
        if (value > INT32_MAX)
            return false;
    }
    *out = (int32_t)value;
    return true;
}

/* Finds the three Azure columns in the header; index[i] is the position of column i. */
static int trace_find_columns(char *header, const char *path, size_t index[TRACE_COLUMNS],
                              size_t *n_cells, struct error *err)
{
    enum { MAX_CELLS = 256 };
    char *names[MAX_CELLS];
    size_t count = csv_split(header, names, MAX_CELLS);
    if (count > MAX_CELLS)
        count = MAX_CELLS; /* columns past the limit cannot be found */
    *n_cells = 0;
    for (size_t c = 0; c < TRACE_COLUMNS; c++) {
        size_t i = 0;
        while (i < count && strcmp(names[i], trace_azure_columns[c]) != 0)
            i++;
        if (i == count) {
            char listed[256] = "";
            size_t used = 0;
            for (size_t k = 0; k < count && used < sizeof listed; k++)
                used += (size_t)snprintf(listed + used, sizeof listed - used, "%s%s", k ? ", " : "",
                                         names[k]);
            return error_set(err, path, 1, 1, NULL,
                             "the header has no column '%s' (it has: %s); an Azure LLM trace "
                             "starts with TIMESTAMP,ContextTokens,GeneratedTokens",
                             trace_azure_columns[c], listed);
        }
        index[c] = i;
        if (i + 1 > *n_cells)
            *n_cells = i + 1;
    }
    return 0;
}

/* Makes room for one more row. */
static int trace_grow(struct trace *t, size_t *cap)
{
    if (t->n_rows < *cap)
        return 0;
    size_t new_cap = *cap ? 2 * *cap : 1024;
    int64_t *time_ns = realloc(t->time_ns, new_cap * sizeof time_ns[0]);
    if (!time_ns)
        return -1;
    t->time_ns = time_ns;
    int32_t *prompt = realloc(t->prompt_tokens, new_cap * sizeof prompt[0]);
    if (!prompt)
        return -1;
    t->prompt_tokens = prompt;
    int32_t *output = realloc(t->output_tokens, new_cap * sizeof output[0]);
    if (!output)
        return -1;
    t->output_tokens = output;
    *cap = new_cap;
    return 0;
}

/* 1-based character position of cell within line. */
static int trace_col(const char *line, const char *cell)
{
    return (int)(cell - line) + 1;
}

/* Reads the data rows after the header; times are absolute until the caller rebases them. */
static int trace_read_rows(struct trace *t, FILE *f, const char *path,
                           const size_t index[TRACE_COLUMNS], size_t n_cells, struct error *err)
{
    char *line = NULL, *cells[256];
    size_t line_cap = 0, cap = 0, blank_line = 0, previous_line = 0;
    int status = -1;
    ssize_t got;
    for (size_t line_no = 2; (got = getline(&line, &line_cap, f)) >= 0; line_no++) {
        if (csv_chomp(line, (size_t)got) == 0) {
            if (!blank_line)
                blank_line = line_no;
            continue;
        }
        if (blank_line) {
            error_set(err, path, (int)blank_line, 1, NULL,
                      "blank line inside the data (blank lines are allowed only at the end)");
            goto done;
        }
        size_t count = csv_split(line, cells, n_cells);
        if (count < n_cells) {
            error_set(err, path, (int)line_no, 1, NULL,
                      "expected %zu cells as in the header, got %zu", n_cells, count);
            goto done;
        }
        if (trace_grow(t, &cap) != 0) {
            error_set(err, path, (int)line_no, 0, NULL, "out of memory reading the trace");
            goto done;
        }
        const char *stamp = cells[index[0]];
        int64_t unix_ns;
        if (trace_parse_timestamp(stamp, &unix_ns) != 0) {
            error_set(err, path, (int)line_no, trace_col(line, stamp), NULL,
                      "expected a TIMESTAMP like 2023-11-16 18:15:46.6805900, got '%.40s'", stamp);
            goto done;
        }
        for (int c = 1; c < TRACE_COLUMNS; c++) {
            const char *cell = cells[index[c]];
            int32_t *column = c == 1 ? t->prompt_tokens : t->output_tokens;
            if (!trace_parse_tokens(cell, &column[t->n_rows])) {
                error_set(err, path, (int)line_no, trace_col(line, cell), NULL,
                          "expected a whole number of tokens in [0, 2147483647] in column "
                          "'%s', got '%.40s'",
                          trace_azure_columns[c], cell);
                goto done;
            }
        }
        if (t->n_rows > 0 && unix_ns < t->time_ns[t->n_rows - 1]) {
            error_set(err, path, (int)line_no, trace_col(line, stamp), NULL,
                      "TIMESTAMP %s is earlier than the row before (line %zu); rows must be in "
                      "time order",
                      stamp, previous_line);
            goto done;
        }
        t->time_ns[t->n_rows++] = unix_ns;
        previous_line = line_no;
    }
    if (ferror(f)) {
        error_set(err, path, 0, 0, NULL, "cannot read the trace: %s", strerror(errno));
        goto done;
    }
    if (t->n_rows == 0) {
        error_set(err, path, 1, 1, NULL, "the trace has a header but no rows");
        goto done;
    }
    status = 0;
done:
    free(line);
    return status;
}

int trace_load_azure(struct trace *t, const char *path, struct error *err)
{
    *t = (struct trace){0};
    const char *why;
    FILE *f = infile_open(path, "r", &why);
    if (!f)
        return error_set(err, path, 0, 0, NULL, "cannot read the trace: %s", why);
    char *line = NULL;
    size_t line_cap = 0, index[TRACE_COLUMNS], n_cells;
    int status = -1;
    ssize_t got = getline(&line, &line_cap, f);
    if (got < 0) {
        error_set(err, path, 1, 1, NULL,
                  "the file is empty: a header row TIMESTAMP,ContextTokens,GeneratedTokens is "
                  "required");
        goto done;
    }
    csv_chomp(line, (size_t)got);
    char *header = line;
    if (strncmp(header, "\xEF\xBB\xBF", 3) == 0) /* UTF-8 byte-order mark */
        header += 3;
    if (trace_find_columns(header, path, index, &n_cells, err) != 0 ||
        trace_read_rows(t, f, path, index, n_cells, err) != 0)
        goto done;
    t->first_unix_ns = t->time_ns[0];
    for (size_t i = 0; i < t->n_rows; i++)
        t->time_ns[i] -= t->first_unix_ns;
    status = 0;
done:
    free(line);
    fclose(f);
    if (status != 0)
        trace_free(t);
    return status;
}

void trace_free(struct trace *t)
{
    free(t->time_ns);
    free(t->prompt_tokens);
    free(t->output_tokens);
    *t = (struct trace){0};
}

double trace_duration_s(const struct trace *t)
{
    if (t->n_rows < 2)
        return 0.0;
    return (double)t->time_ns[t->n_rows - 1] * 1e-9;
}
