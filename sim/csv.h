/* csv: writing CSV fields (RFC 4180), shared by every CSV haisim writes (summary.csv,
 * requests.csv, timeseries.csv, sweep results), and the line helpers of the simple CSV
 * readers (traces, outage files, empirical distributions: unquoted fields). */
#ifndef HAISIM_CSV_H
#define HAISIM_CSV_H

#include <stddef.h>
#include <stdio.h>

/* Writes s as one field: as is, or quoted with inner quotes doubled when it holds a comma,
 * a quote, CR or LF. */
void csv_write_field(FILE *f, const char *s);

/* Strips a trailing "\n" or "\r\n" from a line of length len; returns the length left. */
size_t csv_chomp(char *line, size_t len);

/* Splits line in place at commas into at most max fields with surrounding blanks trimmed;
 * returns the number of fields found (which may exceed max; only max are stored). */
size_t csv_split(char *line, char **fields, size_t max);

#endif
