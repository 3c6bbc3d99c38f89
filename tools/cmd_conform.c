/* qgc conform: runs ONNX backend-format test cases (model.onnx plus
 * test_data_set_N/input_K.pb and output_K.pb) through the interpreter.
 *
 * Each case runs in a child process with a time limit, so one case that
 * crashes or hangs is reported as such and cannot take the others with it.
 * Floats compare with |got - want| <= atol + rtol*|want| (rtol = atol = 1e-3
 * unless tests/conformance-tolerances.txt names a case), NaN equal to NaN;
 * integers and bool compare exactly. */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "qgc_interp.h"
#include "qgc_passes.h"

enum { R_PASS, R_FAIL, R_SKIP, R_CRASH, R_TIMEOUT };
static const char *const result_names[] = {"PASS", "FAIL", "UNSUPPORTED", "CRASH", "TIMEOUT"};

typedef struct {
    char *path;
    const char *name;
    int result;
    char msg[600];
} conf_case;

typedef struct {
    double rtol, atol;
    int timeout_s;
    int jobs;
    bool verbose;
    const char *filter;
    int floor;
    const char *tol_file;
} conf_opts;

static void help(FILE *f) {
    fprintf(f, "usage: qgc conform DIR... [options]\n"
               "  DIR is a case folder (model.onnx + test_data_set_*) or a folder of them (searched two levels deep)\n"
               "  -j N              cases run in parallel (default 2)\n"
               "  --filter TEXT     only cases whose name contains TEXT\n"
               "  --timeout S       seconds a case may take (default 300)\n"
               "  --rtol X --atol X float tolerance (default 1e-3 each)\n"
               "  --tolerances FILE per-case tolerances: lines 'CASE RTOL ATOL' (# comments)\n"
               "  --floor N         exit non-zero if fewer than N cases pass\n"
               "  -v                print every case, not only failures\n"
               "exit status: 0 when no case crashed or timed out and the floor is met\n");
}

/* ---- running one case (in the child) -------------------------------------- */

#define PATH_SIZE 4096

/* DIR/PREFIX_K.pb into p; false if the path does not fit. */
static bool data_file(char *p, const char *dir, const char *prefix, int k) {
    int len = snprintf(p, PATH_SIZE, "%s/%s_%d.pb", dir, prefix, k);
    return len > 0 && len < PATH_SIZE;
}

static int count_files(const char *dir, const char *prefix) {
    int n = 0;
    char p[PATH_SIZE];
    while (data_file(p, dir, prefix, n) && access(p, R_OK) == 0) n++;
    return n;
}

static int run_data_set(const qgc_graph *g, const char *dir, double rtol, double atol, char *msg,
                        size_t size) {
    qgc_diag d = {{0}};
    int n_in = count_files(dir, "input"), n_out = count_files(dir, "output");
    int result = R_FAIL;
    if ((uint32_t)n_in != g->n_inputs || (uint32_t)n_out != g->n_outputs) {
        snprintf(msg, size, "%.200s: %d inputs and %d outputs on disk, the model has %u and %u", dir,
                 n_in, n_out, g->n_inputs, g->n_outputs);
        return R_FAIL;
    }
    qgc_tensor *in[n_in + 1], *want[n_out + 1], *got[n_out + 1];
    memset(in, 0, sizeof in);
    memset(want, 0, sizeof want);
    memset(got, 0, sizeof got);
    char p[PATH_SIZE];
    qgc_status st = QGC_OK;
    for (int i = 0; i < n_in && !st; i++)
        st = data_file(p, dir, "input", i) ? qgc_tensor_read_pb(p, &in[i], NULL, &d) : QGC_ERR_IO;
    for (int i = 0; i < n_out && !st; i++)
        st = data_file(p, dir, "output", i) ? qgc_tensor_read_pb(p, &want[i], NULL, &d) : QGC_ERR_IO;
    /* ONNX 1.12's case generator writes bfloat16 data as UINT16 tensors
     * (the same bits): read them as what the graph declares. */
    for (int i = 0; i < n_in && !st; i++)
        if (in[i]->type.dtype == QGC_U16 && g->inputs[i]->type.dtype == QGC_BF16)
            in[i]->type.dtype = QGC_BF16;
    for (int i = 0; i < n_out && !st; i++)
        if (want[i]->type.dtype == QGC_U16 && g->outputs[i]->type.dtype == QGC_BF16)
            want[i]->type.dtype = QGC_BF16;
    if (!st) st = qgc_interp_run(g, (const qgc_tensor *const *)in, got, &d);
    if (st) {
        snprintf(msg, size, "%.500s", d.msg);
        result = st == QGC_ERR_UNSUPPORTED ? R_SKIP : R_FAIL;
    } else {
        result = R_PASS;
        for (int i = 0; i < n_out && result == R_PASS; i++) {
            char why[400];
            if (!qgc_cli_compare(got[i], want[i], rtol, atol, why, sizeof why)) {
                snprintf(msg, size, "output %d '%s': %s", i,
                         g->outputs[i]->name ? g->outputs[i]->name : "?", why);
                result = R_FAIL;
            }
        }
    }
    for (int i = 0; i < n_in; i++) qgc_tensor_free(in[i]);
    for (int i = 0; i < n_out; i++) {
        qgc_tensor_free(want[i]);
        qgc_tensor_free(got[i]);
    }
    return result;
}

static int run_case(const char *path, double rtol, double atol, char *msg, size_t size) {
    char p[4096];
    qgc_diag d = {{0}};
    qgc_graph *g = NULL;
    snprintf(p, sizeof p, "%s/model.onnx", path);
    qgc_status st = qgc_onnx_load(p, NULL, &g, &d);
    if (!st) st = qgc_infer_shapes(g, &d);
    if (!st) st = qgc_run_pipeline(g, QGC_DEFAULT_PIPELINE, &d);
    if (st) {
        snprintf(msg, size, "%s", d.msg);
        qgc_graph_free(g);
        return st == QGC_ERR_UNSUPPORTED ? R_SKIP : R_FAIL;
    }
    int result = R_FAIL, sets = 0;
    for (int k = 0;; k++) {
        snprintf(p, sizeof p, "%s/test_data_set_%d", path, k);
        struct stat sb;
        if (stat(p, &sb) != 0) break;
        sets++;
        result = run_data_set(g, p, rtol, atol, msg, size);
        if (result != R_PASS) break;
    }
    if (sets == 0) snprintf(msg, size, "no test_data_set_0 folder");
    qgc_graph_free(g);
    return result;
}

/* ---- finding cases and running them in children --------------------------- */

static int cmp_case(const void *a, const void *b) {
    return strcmp(((const conf_case *)a)->path, ((const conf_case *)b)->path);
}

static bool is_case(const char *dir) {
    char p[4096];
    snprintf(p, sizeof p, "%s/model.onnx", dir);
    return access(p, R_OK) == 0;
}

static void add_case(conf_case **cases, int *n, int *cap, const char *path) {
    if (*n == *cap) {
        *cap = *cap ? *cap * 2 : 256;
        *cases = realloc(*cases, sizeof **cases * (size_t)*cap);
        if (!*cases) {
            fprintf(stderr, "qgc conform: out of memory\n");
            exit(2);
        }
    }
    conf_case *c = &(*cases)[(*n)++];
    memset(c, 0, sizeof *c);
    c->path = strdup(path);
    const char *slash = strrchr(c->path, '/');
    c->name = slash ? slash + 1 : c->path;
}

static void find_cases(const char *dir, int depth, conf_case **cases, int *n, int *cap) {
    if (is_case(dir)) {
        add_case(cases, n, cap, dir);
        return;
    }
    if (depth == 0) return;
    DIR *dp = opendir(dir);
    if (!dp) return;
    struct dirent *e;
    while ((e = readdir(dp))) {
        if (e->d_name[0] == '.') continue;
        char p[4096];
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        struct stat sb;
        if (stat(p, &sb) == 0 && S_ISDIR(sb.st_mode)) find_cases(p, depth - 1, cases, n, cap);
    }
    closedir(dp);
}

static void case_tolerance(const conf_opts *o, const char *name, double *rtol, double *atol) {
    *rtol = o->rtol;
    *atol = o->atol;
    FILE *f = o->tol_file ? fopen(o->tol_file, "r") : NULL;
    if (!f) return;
    char line[512], cname[256];
    double r, a;
    while (fgets(line, sizeof line, f))
        if (line[0] != '#' && sscanf(line, "%255s %lf %lf", cname, &r, &a) == 3 &&
            !strcmp(cname, name)) {
            *rtol = r;
            *atol = a;
        }
    fclose(f);
}

typedef struct {
    pid_t pid;
    int fd;
    int idx;
} child;

static void start_case(const conf_opts *o, conf_case *c, int idx, child *ch) {
    int fds[2];
    if (pipe(fds) != 0) {
        perror("qgc conform: pipe");
        exit(2);
    }
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        perror("qgc conform: fork");
        exit(2);
    }
    if (pid == 0) {
        close(fds[0]);
        alarm((unsigned)o->timeout_s);
        double rtol, atol;
        case_tolerance(o, c->name, &rtol, &atol);
        char msg[600] = "";
        int r = run_case(c->path, rtol, atol, msg, sizeof msg);
        char buf[608];
        int len = snprintf(buf, sizeof buf, "%d %s", r, msg);
        if (write(fds[1], buf, (size_t)(len < (int)sizeof buf ? len : (int)sizeof buf - 1)) < 0) _exit(3);
        close(fds[1]);
        exit(0); /* not _exit: a leak checker runs at exit and fails the case on a leak */
    }
    close(fds[1]);
    ch->pid = pid;
    ch->fd = fds[0];
    ch->idx = idx;
}

static void finish_case(conf_case *c, child *ch, int status) {
    char buf[608];
    ssize_t len = read(ch->fd, buf, sizeof buf - 1);
    close(ch->fd);
    if (WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM) {
        c->result = R_TIMEOUT;
        snprintf(c->msg, sizeof c->msg, "time limit exceeded");
    } else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || len <= 0) {
        c->result = R_CRASH;
        snprintf(c->msg, sizeof c->msg, "%s %d",
                 WIFSIGNALED(status) ? "killed by signal" : "exit status",
                 WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
    } else {
        buf[len] = 0;
        char *sp = strchr(buf, ' ');
        c->result = atoi(buf);
        snprintf(c->msg, sizeof c->msg, "%s", sp ? sp + 1 : "");
    }
}

int qgc_cmd_conform(int argc, char **argv) {
    conf_opts o = {.rtol = 1e-3, .atol = 1e-3, .timeout_s = 300, .jobs = 2, .floor = -1};
    conf_case *cases = NULL;
    int n = 0, cap = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        bool has = i + 1 < argc;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            help(stdout);
            return 0;
        } else if (!strcmp(a, "-v")) o.verbose = true;
        else if (!strcmp(a, "-j") && has) o.jobs = atoi(argv[++i]);
        else if (!strcmp(a, "--filter") && has) o.filter = argv[++i];
        else if (!strcmp(a, "--timeout") && has) o.timeout_s = atoi(argv[++i]);
        else if (!strcmp(a, "--rtol") && has) o.rtol = atof(argv[++i]);
        else if (!strcmp(a, "--atol") && has) o.atol = atof(argv[++i]);
        else if (!strcmp(a, "--floor") && has) o.floor = atoi(argv[++i]);
        else if (!strcmp(a, "--tolerances") && has) o.tol_file = argv[++i];
        else if (a[0] == '-') {
            fprintf(stderr, "qgc conform: unexpected argument '%s'\n", a);
            help(stderr);
            return 2;
        } else {
            int before = n;
            find_cases(a, 2, &cases, &n, &cap);
            if (n == before) fprintf(stderr, "qgc conform: no cases under %s\n", a);
        }
    }
    if (o.jobs < 1) o.jobs = 1;
    if (o.timeout_s < 1) o.timeout_s = 1;
    if (n == 0) {
        help(stderr);
        return 2;
    }
    qsort(cases, (size_t)n, sizeof *cases, cmp_case);
    int k = 0;
    for (int i = 0; i < n; i++)
        if (!o.filter || strstr(cases[i].name, o.filter)) cases[k++] = cases[i];
        else free(cases[i].path);
    n = k;

    child *running = calloc((size_t)o.jobs, sizeof *running);
    int next = 0, active = 0, printed = 0;
    bool *done = calloc((size_t)n + 1, 1);
    while (next < n || active > 0) {
        while (active < o.jobs && next < n) {
            start_case(&o, &cases[next], next, &running[active]);
            active++;
            next++;
        }
        int status;
        pid_t pid = waitpid(-1, &status, 0);
        if (pid < 0) {
            if (errno == EINTR) continue;
            break;
        }
        for (int j = 0; j < active; j++)
            if (running[j].pid == pid) {
                finish_case(&cases[running[j].idx], &running[j], status);
                done[running[j].idx] = true;
                running[j] = running[--active];
                break;
            }
        /* Report in case order as soon as the prefix is complete. */
        for (; printed < n && done[printed]; printed++) {
            conf_case *c = &cases[printed];
            if (o.verbose || c->result != R_PASS)
                printf("%-11s %s%s%s\n", result_names[c->result], c->name, c->msg[0] ? ": " : "",
                       c->msg);
            fflush(stdout);
        }
    }
    int count[5] = {0};
    for (int i = 0; i < n; i++) count[cases[i].result]++;
    if (count[R_CRASH] || count[R_TIMEOUT])
        printf("%d crashed, %d timed out (counted as failed)\n", count[R_CRASH], count[R_TIMEOUT]);
    printf("%d passed, %d failed, %d skipped\n", count[R_PASS],
           count[R_FAIL] + count[R_CRASH] + count[R_TIMEOUT], count[R_SKIP]);
    int rc = count[R_CRASH] || count[R_TIMEOUT] ? 1 : 0;
    if (o.floor >= 0 && count[R_PASS] < o.floor) {
        printf("pass count %d is below the floor %d\n", count[R_PASS], o.floor);
        rc = 1;
    }
    for (int i = 0; i < n; i++) free(cases[i].path);
    free(cases);
    free(running);
    free(done);
    return rc;
}
