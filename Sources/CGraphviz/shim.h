#ifndef CGRAPHVIZ_SHIM_H
#define CGRAPHVIZ_SHIM_H
#include <graphviz/gvc.h>
#include <stdlib.h>
#include <string.h>

/* Swift 6 rejects reads of the mutable C globals Agdirected etc.; these return copies. */
static inline Agdesc_t cgv_directed(void)   { return Agdirected; }
static inline Agdesc_t cgv_undirected(void) { return Agundirected; }

/*
 * A deterministic object-id discipline. cgraph's default uses the address of each interned name as the
 * object's id and keeps subgraphs ordered by id, so the order in which clusters are drawn (and appear in the
 * SVG) changes from run to run with the heap layout. Here a name's id is 2 × (its position in order of first
 * use), which makes the output depend on the graph alone. Anonymous objects get odd ids, as in cgraph.
 */
typedef struct { char **names; long count, capacity; IDTYPE anonymous; } cgv_id_state;

static void *cgv_id_open(Agraph_t *g, Agdisc_t *disc) {
    (void)g; (void)disc;
    cgv_id_state *s = calloc(1, sizeof *s);
    if (s) s->anonymous = 1;
    return s;
}

static long cgv_id_map(void *state, int objtype, char *str, IDTYPE *id, int createflag) {
    cgv_id_state *s = state;
    (void)objtype;
    if (!str) { *id = s->anonymous; s->anonymous += 2; return 1; }
    for (long i = 0; i < s->count; i++) {
        if (strcmp(s->names[i], str) == 0) { *id = (IDTYPE)(2 * (i + 1)); return 1; }
    }
    if (!createflag) return 0;
    if (s->count == s->capacity) {
        long capacity = s->capacity ? 2 * s->capacity : 64;
        char **grown = realloc(s->names, (size_t)capacity * sizeof *grown);
        if (!grown) return 0;
        s->names = grown; s->capacity = capacity;
    }
    s->names[s->count] = strdup(str);
    if (!s->names[s->count]) return 0;
    s->count += 1;
    *id = (IDTYPE)(2 * s->count);
    return 1;
}

static long cgv_id_alloc(void *state, int objtype, IDTYPE id) { (void)state; (void)objtype; (void)id; return 0; }
static void cgv_id_free(void *state, int objtype, IDTYPE id) { (void)state; (void)objtype; (void)id; }

static char *cgv_id_print(void *state, int objtype, IDTYPE id) {
    cgv_id_state *s = state;
    (void)objtype;
    if (id % 2 == 0 && id > 0 && (long)(id / 2) <= s->count) return s->names[id / 2 - 1];
    return NULL;
}

static void cgv_id_close(void *state) {
    cgv_id_state *s = state;
    for (long i = 0; i < s->count; i++) free(s->names[i]);
    free(s->names);
    free(s);
}

static void cgv_id_register(void *state, int objtype, void *obj) { (void)state; (void)objtype; (void)obj; }

/* The deterministic discipline: cgraph's memory and I/O disciplines with the id discipline above. */
static inline Agdisc_t *cgv_discipline(void) {
    static Agiddisc_t ids = {
        cgv_id_open, cgv_id_map, cgv_id_alloc, cgv_id_free, cgv_id_print, cgv_id_close, cgv_id_register
    };
    static Agdisc_t discipline;
    discipline.mem = &AgMemDisc;
    discipline.id = &ids;
    discipline.io = &AgIoDisc;
    return &discipline;
}
#endif
