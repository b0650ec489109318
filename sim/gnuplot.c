/* gnuplot: run gnuplot in a directory (see gnuplot.h). */
#include "gnuplot.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* Exit status the child uses to say "exec failed: program not found". */
enum { GNUPLOT_EXEC_FAILED = 127 };

enum gnuplot_status gnuplot_run(const char *dir, const char *script, struct error *err)
{
    const char *program = getenv("HAISIM_GNUPLOT");
    if (!program || !*program)
        program = "gnuplot";
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        error_set(err, NULL, 0, 0, NULL, "cannot start %s: %s", program, strerror(errno));
        return GNUPLOT_FAILED;
    }
    if (pid == 0) {
        if (chdir(dir) != 0)
            _exit(GNUPLOT_EXEC_FAILED - 1);
        /* gnuplot's stdout carries nothing we want; keep ours clean for reports. */
        if (!freopen("/dev/null", "w", stdout))
            _exit(GNUPLOT_EXEC_FAILED - 1);
        execlp(program, program, script, (char *)NULL);
        _exit(GNUPLOT_EXEC_FAILED);
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR) {
            error_set(err, NULL, 0, 0, NULL, "waiting for %s: %s", program, strerror(errno));
            return GNUPLOT_FAILED;
        }
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
        return GNUPLOT_OK;
    if (WIFEXITED(status) && WEXITSTATUS(status) == GNUPLOT_EXEC_FAILED) {
        error_set(err, NULL, 0, 0, NULL,
                  "%s not found: install gnuplot (Debian: apt-get install gnuplot-nox) to "
                  "draw charts; the data and script are written",
                  program);
        return GNUPLOT_MISSING;
    }
    error_set(err, dir, 0, 0, NULL, "%s failed on %s", program, script);
    return GNUPLOT_FAILED;
}
