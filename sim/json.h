/* json: writing JSON strings (RFC 8259), shared by summary.json and trace.json. */
#ifndef HAISIM_JSON_H
#define HAISIM_JSON_H

#include <stdio.h>

/* Writes s as a JSON string: quoted, with quotes and backslashes escaped and control
 * characters as \u00XX. */
void json_write_string(FILE *f, const char *s);

#endif
