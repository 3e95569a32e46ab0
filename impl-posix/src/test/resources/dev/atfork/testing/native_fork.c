/*
 * Forks from a thread the JVM did not create, as a native library's own thread would.
 * Built at test time by dev.atfork.testing.NativeLibraries.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* How long the forking thread waits for its child before killing it. */
#define CHILD_TIMEOUT_MILLIS 10000

/* Forks; the child ends at once, without returning into the JVM; the parent waits for it. */
static void *fork_and_wait(void *result) {
    int *status = result;
    pid_t pid = fork();
    if (pid == 0) {
        _exit(0);
    }
    if (pid < 0) {
        *status = -1;
        return NULL;
    }
    struct timespec pause = {0, 1000000};
    for (int waited = 0;; waited++) {
        int raw;
        pid_t done = waitpid(pid, &raw, WNOHANG);
        if (done == pid) {
            *status = raw;
            return NULL;
        }
        if (done < 0 && errno != EINTR) {
            *status = -2;
            return NULL;
        }
        if (waited >= CHILD_TIMEOUT_MILLIS) {
            kill(pid, SIGKILL);
            waitpid(pid, &raw, 0);
            *status = raw; /* killed by SIGKILL: non-zero */
            return NULL;
        }
        nanosleep(&pause, NULL);
    }
}

/*
 * Starts a thread that forks once and waits for the child, and joins it.
 * Returns the child's wait status (0: it exited with status 0), or a negative value if
 * pthread_create (-3), fork (-1) or waitpid (-2) failed.
 */
int fork_from_native_thread(void) {
    pthread_t thread;
    int status = -4;
    if (pthread_create(&thread, NULL, fork_and_wait, &status) != 0) {
        return -3;
    }
    pthread_join(thread, NULL);
    return status;
}
