/* csv: writing CSV fields (RFC 4180), shared by every CSV haisim writes (summary.csv,
 * requests.csv, timeseries.csv, sweep results). */
#ifndef HAISIM_CSV_H
#define HAISIM_CSV_H

#include <stdio.h>

/* Writes s as one field: as is, or quoted with inner quotes doubled when it holds a comma,
 * a quote, CR or LF. */
void csv_write_field(FILE *f, const char *s);

#endif
