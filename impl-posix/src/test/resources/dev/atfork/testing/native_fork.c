/*
 * Forks from a thread the JVM did not create, as a native library's own thread would.
 * Built at test time by dev.atfork.testing.NativeLibraries.
 */
#include <errno.h>
#include <pthread.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* How long the forking thread waits for its child before giving up on it. */
#define CHILD_TIMEOUT_MILLIS 10000

/* What the forking thread hands back: the child's wait status, or the pid of a child still running. */
struct fork_result {
    int status;
    pid_t hung;
};

/* Forks; the child ends at once, without returning into the JVM; the parent waits for it. */
static void *fork_and_wait(void *arg) {
    struct fork_result *result = arg;
    pid_t pid = fork();
    if (pid == 0) {
        _exit(0);
    }
    if (pid < 0) {
        result->status = -1;
        return NULL;
    }
    struct timespec pause = {0, 1000000};
    for (int waited = 0;; waited++) {
        int raw;
        pid_t done = waitpid(pid, &raw, WNOHANG);
        if (done == pid) {
            result->status = raw;
            return NULL;
        }
        if (done < 0 && errno != EINTR) {
            result->status = -2;
            return NULL;
        }
        if (waited >= CHILD_TIMEOUT_MILLIS) {
            result->status = -5;
            result->hung = pid; /* left running, for the caller to see where it waits, kill and reap */
            return NULL;
        }
        nanosleep(&pause, NULL);
    }
}

/*
 * Starts a thread that forks once and waits for the child, and joins it.
 * Returns the child's wait status (0: it exited with status 0), or a negative value if
 * pthread_create (-3), fork (-1) or waitpid (-2) failed, or -5 if the child was still running
 * after CHILD_TIMEOUT_MILLIS: then *hung is its pid, and the caller must kill and reap it.
 */
int fork_from_native_thread(int *hung) {
    pthread_t thread;
    struct fork_result result = {-4, 0};
    if (pthread_create(&thread, NULL, fork_and_wait, &result) != 0) {
        return -3;
    }
    pthread_join(thread, NULL);
    *hung = result.hung;
    return result.status;
}
