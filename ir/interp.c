/* The reference interpreter: runs a graph node by node with the op table's
 * shape rules and eval functions. Tensors are freed after their last use, so
 * peak memory is the live set, not the sum of all activations. */
#include <stdlib.h>
#include <string.h>

#include "ops.h"
#include "qgc_interp.h"

qgc_status qgc_eval_node(const qgc_node *n, const qgc_tensor *const *in, qgc_tensor **out,
                         qgc_diag *d) {
    char lbl[160];
    const qgc_op_info *op = &qgc_ops[n->op];
    qgc_type types[n->n_out > 0 ? n->n_out : 1];
    memset(types, 0, sizeof types);
    for (int i = 0; i < n->n_out; i++) out[i] = NULL;
    qgc_status st = qgc_node_check_inputs(n, d);
    if (!st) st = op->infer(n, in, types, d);
    if (st) return st;
    for (int i = 0; i < n->n_out; i++) {
        if (!qgc_type_is_static(&types[i]) || qgc_dtype_bits(types[i].dtype) == 0) {
            st = qgc_fail(d, QGC_ERR_INVALID, "%s: shape of output %d cannot be computed",
                          qgc_node_label(n, lbl, sizeof lbl), i);
            goto fail;
        }
        if ((st = qgc_tensor_new(&types[i], &out[i], d))) {
            char inner[sizeof d->msg];
            memcpy(inner, d->msg, sizeof inner);
            qgc_fail(d, st, "%s: %s", qgc_node_label(n, lbl, sizeof lbl), inner);
            goto fail;
        }
    }
    if ((st = op->eval(n, in, (qgc_tensor *const *)out, d))) goto fail;
    return QGC_OK;
fail:
    for (int i = 0; i < n->n_out; i++) {
        qgc_tensor_free(out[i]);
        out[i] = NULL;
    }
    return st;
}

static qgc_status copy_tensor(const qgc_tensor *t, qgc_tensor **out, qgc_diag *d) {
    qgc_status st = qgc_tensor_new(&t->type, out, d);
    if (!st && t->nbytes) memcpy((*out)->data, t->data, t->nbytes);
    return st;
}

static qgc_status check_input(const qgc_value *v, const qgc_tensor *t, qgc_diag *d) {
    const char *name = v->name ? v->name : "?";
    if (!t || !t->data)
        return qgc_fail(d, QGC_ERR_INVALID, "input '%s': no tensor given", name);
    if (t->type.dtype != v->type.dtype)
        return qgc_fail(d, QGC_ERR_INVALID, "input '%s': dtype %s given, %s expected", name,
                        qgc_dtype_name(t->type.dtype) ? qgc_dtype_name(t->type.dtype) : "?",
                        qgc_dtype_name(v->type.dtype) ? qgc_dtype_name(v->type.dtype) : "?");
    if (v->type.rank >= 0 && t->type.rank != v->type.rank)
        return qgc_fail(d, QGC_ERR_INVALID, "input '%s': rank %d given, %d expected", name,
                        t->type.rank, v->type.rank);
    for (int i = 0; v->type.rank >= 0 && i < v->type.rank; i++)
        if (v->type.dims[i] >= 0 && v->type.dims[i] != t->type.dims[i])
            return qgc_fail(d, QGC_ERR_INVALID,
                            "input '%s': dim %d is %lld, the model needs %lld", name, i,
                            (long long)t->type.dims[i], (long long)v->type.dims[i]);
    size_t need;
    if (qgc_tensor_numel(t) < 0 || !qgc_dtype_nbytes(t->type.dtype, qgc_tensor_numel(t), &need) ||
        need > t->nbytes)
        return qgc_fail(d, QGC_ERR_INVALID, "input '%s': buffer smaller than its shape", name);
    return QGC_OK;
}

qgc_status qgc_interp_run(const qgc_graph *g, const qgc_tensor *const *inputs,
                          qgc_tensor **outputs, qgc_diag *d) {
    uint32_t nv = g->n_values;
    const qgc_tensor **env = calloc(nv ? nv : 1, sizeof *env);
    bool *owned = calloc(nv ? nv : 1, sizeof *owned);
    int64_t *last_use = malloc((nv ? nv : 1) * sizeof *last_use);
    qgc_status st = QGC_OK;
    char lbl[160];
    for (uint32_t i = 0; i < g->n_outputs; i++) outputs[i] = NULL;
    if (!env || !owned || !last_use) {
        st = qgc_fail(d, QGC_ERR_NOMEM, "out of memory");
        goto done;
    }
    for (uint32_t i = 0; i < nv; i++) {
        last_use[i] = -1;
        env[i] = g->values[i]->data;
    }
    for (uint32_t i = 0; i < g->n_nodes; i++)
        for (int j = 0; j < g->nodes[i]->n_in; j++)
            if (g->nodes[i]->in[j]) last_use[g->nodes[i]->in[j]->id] = i;
    for (uint32_t i = 0; i < g->n_outputs; i++) last_use[g->outputs[i]->id] = INT64_MAX;
    for (uint32_t i = 0; i < g->n_inputs; i++) {
        if ((st = check_input(g->inputs[i], inputs[i], d))) goto done;
        env[g->inputs[i]->id] = inputs[i];
    }

    for (uint32_t i = 0; i < g->n_nodes; i++) {
        const qgc_node *n = g->nodes[i];
        const qgc_tensor *in[n->n_in > 0 ? n->n_in : 1];
        qgc_tensor *out[n->n_out > 0 ? n->n_out : 1];
        for (int j = 0; j < n->n_in; j++) {
            in[j] = n->in[j] ? env[n->in[j]->id] : NULL;
            if (n->in[j] && !in[j]) {
                st = qgc_fail(d, QGC_ERR_INVALID, "%s: input '%s' has no value (weights not loaded?)",
                              qgc_node_label(n, lbl, sizeof lbl),
                              n->in[j]->name ? n->in[j]->name : "?");
                goto done;
            }
        }
        if ((st = qgc_eval_node(n, in, out, d))) goto done;
        for (int j = 0; j < n->n_out; j++) {
            env[n->out[j]->id] = out[j];
            owned[n->out[j]->id] = true;
        }
        /* Free what is dead after this node: inputs at their last use, and
         * outputs nothing reads (optional results such as a dropout mask). */
        for (int j = 0; j < n->n_in + n->n_out; j++) {
            const qgc_value *v = j < n->n_in ? n->in[j] : n->out[j - n->n_in];
            if (!v || !owned[v->id] || last_use[v->id] > (int64_t)i) continue;
            if (j >= n->n_in && last_use[v->id] >= 0) continue;
            qgc_tensor_free((qgc_tensor *)env[v->id]);
            env[v->id] = NULL;
            owned[v->id] = false;
        }
    }
    for (uint32_t i = 0; i < g->n_outputs; i++) {
        const qgc_tensor *t = env[g->outputs[i]->id];
        if (!t) {
            st = qgc_fail(d, QGC_ERR_INVALID, "graph output '%s' was not computed",
                          g->outputs[i]->name ? g->outputs[i]->name : "?");
            goto done;
        }
        if ((st = copy_tensor(t, &outputs[i], d))) goto done;
    }
done:
    if (env)
        for (uint32_t i = 0; i < nv; i++)
            if (owned[i]) qgc_tensor_free((qgc_tensor *)env[i]);
    if (st)
        for (uint32_t i = 0; i < g->n_outputs; i++) {
            qgc_tensor_free(outputs[i]);
            outputs[i] = NULL;
        }
    free(env);
    free(owned);
    free(last_use);
    return st;
}
