/*
 * The native floor of the scale benchmark: the least CPU a poller of the same agents can spend
 * on the same commands. One thread, epoll, one connection per agent socket, one request in
 * flight per connection. Built by bench/run.sh (gcc -O2) and started by io.qga.bench.Bench.
 *
 *   floor PLAN AGENT_DIR SECONDS [TIMEOUT_MS]
 *
 * PLAN (written by Bench from the collector registry and the default intervals):
 *   info MILLIS                       how often guest-info is asked again while the agent is up
 *   probe INITIAL_MILLIS CAP_MILLIS   backoff of the probes of an agent that is down
 *   collector NAME MILLIS CMD...      a collector: its interval and its commands, the first the
 *                                     one that decides whether the collector runs at all
 *
 * What it does per agent, as the exporter does (exporter/.../poll/PolledDomain, AgentSession):
 * connect; 0xFF + guest-sync-delimited with a random id, discard everything up to the agent's
 * 0xFF, then lines until {"return": id}; guest-info, whose supported_commands say which commands
 * the agent has enabled; every collector once; then every collector at its interval from a random
 * phase, each sending the commands the agent has (guest-info itself is not sent by a collector:
 * the capabilities are known), and guest-info again before a collector once its refresh is due.
 * A reply is read to its newline; only guest-info's is parsed. Each call has a deadline (default
 * 5000 ms) covering connect, sync and reply; on a timeout or a broken connection the connection
 * is closed and the agent is down: a probe (connect, sync, guest-ping) after INITIAL, doubling up
 * to CAP; once a probe is answered, guest-info and every collector at once.
 *
 * Prints "floor domains=N sent=S replies=R ok=O errors=E timeouts=T broken=B syncs=Y" at the end.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define MAX_CMDS 32
#define MAX_COLLECTORS 32
#define MAX_PER_COLLECTOR 8
#define QUEUE 64
#define MAX_INFO (4 << 20)

enum { ITEM_INFO = -1, ITEM_PING = -2 };
enum { IDLE, SYNC_FF, SYNC_LINE, REPLY, DOWN };

typedef struct {
  char name[64];
  long interval;
  int ncmd;
  int cmd[MAX_PER_COLLECTOR];
} collector_t;

static char cmd_name[MAX_CMDS][64];
static char cmd_req[MAX_CMDS][128];
static int ncmds;
static collector_t coll[MAX_COLLECTORS];
static int ncoll;
static long info_refresh = 300000, probe_initial = 1000, probe_cap = 15000, timeout_ms = 5000;
static int info_cmd = -1;

typedef struct {
  char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
  int fd;
  int state;
  int synced;
  int up;
  int failures;
  int poll_all;  /* after the next guest-info reply: every collector once */
  uint64_t sync_id;
  uint64_t caps; /* bit i: cmd_name[i] is enabled */
  long info_at;  /* when guest-info was last answered; -1: never */
  long deadline;
  long wake;
  int heap_pos;
  int cur;
  int q[QUEUE];
  int qh, qn;
  char *line;    /* the reply line being kept: sync replies and guest-info only */
  int len, cap;
  int keep;
  long due[MAX_COLLECTORS];
} conn_t;

static conn_t *conns;
static int nconns;
static int *heap;
static int heap_n;
static int ep;
static unsigned long long sent, replies, ok, errors, timeouts, broken, syncs;
static uint64_t rng = 0x9E3779B97F4A7C15ull;

static uint64_t next_random(void) {
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return rng;
}

static long now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* --- an indexed min-heap of connections by wake time ------------------------------------ */

static void heap_swap(int a, int b) {
  int t = heap[a];
  heap[a] = heap[b];
  heap[b] = t;
  conns[heap[a]].heap_pos = a;
  conns[heap[b]].heap_pos = b;
}

static void heap_fix(int i) {
  while (i > 0 && conns[heap[(i - 1) / 2]].wake > conns[heap[i]].wake) {
    heap_swap(i, (i - 1) / 2);
    i = (i - 1) / 2;
  }
  for (;;) {
    int l = 2 * i + 1, r = l + 1, m = i;
    if (l < heap_n && conns[heap[l]].wake < conns[heap[m]].wake) m = l;
    if (r < heap_n && conns[heap[r]].wake < conns[heap[m]].wake) m = r;
    if (m == i) return;
    heap_swap(i, m);
    i = m;
  }
}

static void set_wake(conn_t *c, long when) {
  c->wake = when;
  heap_fix(c->heap_pos);
}

/* --- calls -------------------------------------------------------------------------------- */

static int write_all(int fd, const char *buf, size_t n) {
  while (n > 0) {
    ssize_t w = write(fd, buf, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return -1; /* a request is a few bytes: a full socket buffer is a broken agent */
    }
    buf += w;
    n -= (size_t)w;
  }
  return 0;
}

static void close_conn(conn_t *c) {
  if (c->fd >= 0) {
    epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
    close(c->fd);
    c->fd = -1;
  }
  c->synced = 0;
  c->keep = 0;
  c->len = 0;
}

static long backoff(int failures) {
  long d = probe_initial;
  for (int i = 1; i < failures && d < probe_cap; i++) d *= 2;
  return d < probe_cap ? d : probe_cap;
}

/* The agent did not answer in time or the connection broke: it is down until a probe answers. */
static void lost(conn_t *c, long now) {
  close_conn(c);
  c->failures++;
  c->up = 0;
  c->qn = 0;
  c->state = DOWN;
  set_wake(c, now + backoff(c->failures));
}

static int send_request(conn_t *c) {
  const char *req = c->cur == ITEM_PING ? "{\"execute\":\"guest-ping\"}\n" : cmd_req[c->cur == ITEM_INFO ? info_cmd : c->cur];
  if (write_all(c->fd, req, strlen(req)) < 0) return -1;
  sent++;
  c->state = REPLY;
  c->len = 0;
  c->keep = c->cur == ITEM_INFO;
  return 0;
}

static void start_call(conn_t *c, int item, long now) {
  c->cur = item;
  c->deadline = now + timeout_ms;
  if (c->fd < 0) {
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    memcpy(a.sun_path, c->path, sizeof(a.sun_path));
    if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
      if (fd >= 0) close(fd);
      broken++;
      lost(c, now);
      return;
    }
    struct epoll_event ev = {.events = EPOLLIN, .data.u32 = (uint32_t)(c - conns)};
    epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
    c->fd = fd;
    c->synced = 0;
  }
  if (!c->synced) {
    char buf[128];
    c->sync_id = next_random() & 0x7fffffffffffffffull;
    int n = snprintf(buf, sizeof(buf),
                     "\xff{\"execute\":\"guest-sync-delimited\",\"arguments\":{\"id\":%llu}}\n",
                     (unsigned long long)c->sync_id);
    if (write_all(c->fd, buf, (size_t)n) < 0) {
      broken++;
      lost(c, now);
      return;
    }
    sent++;
    c->state = SYNC_FF;
    c->len = 0;
    c->keep = 1;
  } else if (send_request(c) < 0) {
    broken++;
    lost(c, now);
    return;
  }
  set_wake(c, c->deadline);
}

static int supported(const conn_t *c, int cmd) { return (c->caps >> cmd) & 1; }

static void enqueue(conn_t *c, int item) {
  if (c->qn < QUEUE) c->q[(c->qh + c->qn++) % QUEUE] = item;
}

/* A collector's turn: its commands the agent has; guest-info only as the capability check. */
static void enqueue_collector(conn_t *c, int k) {
  if (!supported(c, coll[k].cmd[0])) return;
  for (int j = 0; j < coll[k].ncmd; j++) {
    int cmd = coll[k].cmd[j];
    if (cmd != info_cmd && supported(c, cmd)) enqueue(c, cmd);
  }
}

static long next_due(const conn_t *c) {
  long m = c->due[0];
  for (int k = 1; k < ncoll; k++)
    if (c->due[k] < m) m = c->due[k];
  return m;
}

/* The previous call is done: the next queued one, else idle until a collector is due. */
static void next_call(conn_t *c, long now) {
  if (c->qn > 0) {
    int item = c->q[c->qh];
    c->qh = (c->qh + 1) % QUEUE;
    c->qn--;
    start_call(c, item, now);
    return;
  }
  c->state = IDLE;
  set_wake(c, next_due(c));
}

/* supported_commands of a guest-info reply: {"enabled": true, "name": "...", ...} objects. */
static void parse_caps(conn_t *c) {
  char *s = c->line;
  c->caps = 0;
  for (int i = 0; i < ncmds; i++) {
    char quoted[80];
    snprintf(quoted, sizeof(quoted), "\"%.63s\"", cmd_name[i]);
    char *at = strstr(s, quoted);
    if (!at) continue;
    char *open = at, *close = strchr(at, '}');
    while (open > s && *open != '{') open--;
    if (!close) continue;
    char *en = memmem(open, (size_t)(close - open), "\"enabled\"", 9);
    if (!en) continue;
    en += 9;
    while (en < close && (*en == ' ' || *en == ':')) en++;
    if (en + 4 <= close && memcmp(en, "true", 4) == 0) c->caps |= 1ull << i;
  }
  c->caps |= 1ull << info_cmd;
}

static void reply_done(conn_t *c, int is_error, long now) {
  replies++;
  if (is_error) errors++; else ok++;
  if (c->cur == ITEM_INFO) {
    if (!is_error) parse_caps(c);
    else c->caps = ~0ull; /* guest-info blocked: try everything, as the exporter does */
    c->info_at = now;
    c->up = 1;
    c->failures = 0;
    if (c->poll_all) {
      c->poll_all = 0;
      for (int k = 0; k < ncoll; k++) enqueue_collector(c, k);
    }
  } else if (c->cur == ITEM_PING) {
    /* answered (even "ping disabled"): the agent is back; guest-info and every collector */
    c->poll_all = 1;
    enqueue(c, ITEM_INFO);
  }
  next_call(c, now);
}

static int keep_byte(conn_t *c, char b) {
  if (c->len + 1 >= c->cap) {
    int cap = c->cap ? c->cap * 2 : 256;
    if (cap > MAX_INFO) return -1;
    c->line = realloc(c->line, (size_t)cap);
    c->cap = cap;
  }
  c->line[c->len++] = b;
  c->line[c->len] = 0;
  return 0;
}

static void on_readable(conn_t *c, char *buf, size_t bufsize, long now) {
  ssize_t n = read(c->fd, buf, bufsize);
  if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
  if (n <= 0) {
    broken++;
    lost(c, now);
    return;
  }
  for (ssize_t i = 0; i < n; i++) {
    char b = buf[i];
    switch (c->state) {
      case SYNC_FF:
        if ((unsigned char)b == 0xff) {
          c->state = SYNC_LINE;
          c->len = 0;
        }
        break;
      case SYNC_LINE:
        if (b == '\n') {
          char *r = c->len ? strstr(c->line, "\"return\"") : NULL;
          unsigned long long id = r ? strtoull(r + 8 + strspn(r + 8, " :"), NULL, 10) : 0;
          if (r && id == c->sync_id) {
            c->synced = 1;
            syncs++;
            if (send_request(c) < 0) {
              broken++;
              lost(c, now);
              return;
            }
          } else {
            c->len = 0; /* a stale line: keep reading lines until our id */
          }
        } else if (c->len < 200 && keep_byte(c, b) < 0) {
          broken++;
          lost(c, now);
          return;
        }
        break;
      case REPLY:
        if (b == '\n') {
          int is_error = c->keep ? c->len == 0 || strncmp(c->line, "{\"error\"", 8) == 0 : c->len == 1;
          c->len = 0;
          reply_done(c, is_error, now);
          if (c->fd < 0) return; /* the next call found the connection broken */
          /* one request in flight: nothing of the next reply can be in this chunk */
        } else if (c->keep) {
          if (keep_byte(c, b) < 0) {
            broken++;
            lost(c, now);
            return;
          }
        } else if (c->len == 0) {
          /* only the start of an ordinary reply is looked at: {"return" or {"error" */
          c->len = (i + 2 < n && buf[i] == '{' && buf[i + 1] == '"' && buf[i + 2] == 'e') ? 1 : 2;
        }
        break;
      default:
        break; /* bytes while idle or down: a late reply after a timeout, dropped */
    }
  }
}

/* --- setup -------------------------------------------------------------------------------- */

static int cmd_index(const char *name) {
  for (int i = 0; i < ncmds; i++)
    if (strcmp(cmd_name[i], name) == 0) return i;
  if (ncmds == MAX_CMDS) {
    fprintf(stderr, "floor: more than %d commands in the plan\n", MAX_CMDS);
    exit(2);
  }
  snprintf(cmd_name[ncmds], sizeof(cmd_name[0]), "%s", name);
  snprintf(cmd_req[ncmds], sizeof(cmd_req[0]), "{\"execute\":\"%s\"}\n", name);
  return ncmds++;
}

static void read_plan(const char *path) {
  FILE *f = fopen(path, "r");
  if (!f) {
    perror(path);
    exit(2);
  }
  char line[1024];
  info_cmd = cmd_index("guest-info");
  while (fgets(line, sizeof(line), f)) {
    char *tok = strtok(line, " \t\n");
    if (!tok) continue;
    if (strcmp(tok, "info") == 0) {
      info_refresh = atol(strtok(NULL, " \t\n"));
    } else if (strcmp(tok, "probe") == 0) {
      probe_initial = atol(strtok(NULL, " \t\n"));
      probe_cap = atol(strtok(NULL, " \t\n"));
    } else if (strcmp(tok, "collector") == 0 && ncoll < MAX_COLLECTORS) {
      collector_t *k = &coll[ncoll++];
      snprintf(k->name, sizeof(k->name), "%s", strtok(NULL, " \t\n"));
      k->interval = atol(strtok(NULL, " \t\n"));
      while ((tok = strtok(NULL, " \t\n")) && k->ncmd < MAX_PER_COLLECTOR) k->cmd[k->ncmd++] = cmd_index(tok);
      if (k->interval <= 0 || k->ncmd == 0) {
        fprintf(stderr, "floor: bad collector line for %s\n", k->name);
        exit(2);
      }
    }
  }
  fclose(f);
  if (ncoll == 0) {
    fprintf(stderr, "floor: no collector in %s\n", path);
    exit(2);
  }
}

static int by_path(const void *a, const void *b) {
  return strcmp(((const conn_t *)a)->path, ((const conn_t *)b)->path);
}

static void find_sockets(const char *dir) {
  DIR *d = opendir(dir);
  if (!d) {
    perror(dir);
    exit(2);
  }
  int cap = 1024;
  conns = calloc((size_t)cap, sizeof(conn_t));
  struct dirent *e;
  while ((e = readdir(d))) {
    size_t len = strlen(e->d_name);
    if (len < 6 || strcmp(e->d_name + len - 5, ".sock") != 0) continue;
    if (nconns == cap) {
      cap *= 2;
      conns = realloc(conns, (size_t)cap * sizeof(conn_t));
      memset(conns + nconns, 0, (size_t)(cap - nconns) * sizeof(conn_t));
    }
    if (snprintf(conns[nconns].path, sizeof(conns[0].path), "%s/%s", dir, e->d_name) >=
        (int)sizeof(conns[0].path)) {
      fprintf(stderr, "floor: socket path too long: %s/%s\n", dir, e->d_name);
      exit(2);
    }
    nconns++;
  }
  closedir(d);
  qsort(conns, (size_t)nconns, sizeof(conn_t), by_path);
}

int main(int argc, char **argv) {
  if (argc < 4) {
    fprintf(stderr, "usage: floor PLAN AGENT_DIR SECONDS [TIMEOUT_MS]\n");
    return 2;
  }
  read_plan(argv[1]);
  find_sockets(argv[2]);
  long seconds = atol(argv[3]);
  if (argc > 4) timeout_ms = atol(argv[4]);
  struct rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
  }
  rng ^= (uint64_t)now_ms() * 0x2545F4914F6CDD1Dull;
  ep = epoll_create1(EPOLL_CLOEXEC);
  heap = malloc(sizeof(int) * (size_t)(nconns ? nconns : 1));
  long start = now_ms(), end = start + seconds * 1000L;
  for (int i = 0; i < nconns; i++) {
    conn_t *c = &conns[i];
    c->fd = -1;
    c->info_at = -1;
    c->poll_all = 1;
    c->state = DOWN;
    for (int k = 0; k < ncoll; k++) c->due[k] = start + (long)(next_random() % (uint64_t)coll[k].interval);
    c->wake = start;
    c->heap_pos = heap_n;
    heap[heap_n++] = i;
  }
  static char buf[65536];
  struct epoll_event events[256];
  long now = start;
  while (now < end) {
    long wait = heap_n ? conns[heap[0]].wake - now : 1000;
    if (wait < 0) wait = 0;
    if (wait > end - now) wait = end - now;
    int n = epoll_wait(ep, events, 256, (int)wait);
    now = now_ms();
    for (int i = 0; i < n; i++) {
      conn_t *c = &conns[events[i].data.u32];
      if (c->fd >= 0) on_readable(c, buf, sizeof(buf), now);
    }
    while (heap_n && conns[heap[0]].wake <= now) {
      conn_t *c = &conns[heap[0]];
      switch (c->state) {
        case SYNC_FF:
        case SYNC_LINE:
        case REPLY:
          timeouts++;
          lost(c, now);
          break;
        case DOWN:
          /* first contact: guest-info then everything; later: a probe */
          start_call(c, c->info_at < 0 && c->failures == 0 ? ITEM_INFO : ITEM_PING, now);
          break;
        case IDLE:
          for (int k = 0; k < ncoll; k++) {
            if (c->due[k] <= now) {
              while (c->due[k] <= now) c->due[k] += coll[k].interval;
              enqueue_collector(c, k);
            }
          }
          if (c->qn > 0 && now >= c->info_at + info_refresh) {
            /* guest-info first: the refresh is due */
            c->qh = (c->qh + QUEUE - 1) % QUEUE;
            c->q[c->qh] = ITEM_INFO;
            c->qn++;
          }
          next_call(c, now);
          break;
      }
    }
  }
  printf("floor domains=%d sent=%llu replies=%llu ok=%llu errors=%llu timeouts=%llu broken=%llu syncs=%llu\n",
         nconns, sent, replies, ok, errors, timeouts, broken, syncs);
  return 0;
}
