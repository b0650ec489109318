/* llm_quality: a model's accuracy and price (see llm_quality.h). */
#include "llm_quality.h"

#include <string.h>

int llm_quality_load(struct llm_quality *q, struct ydoc_node *model_map,
                     struct accuracy_datasets *datasets, struct error *err)
{
    memset(q, 0, sizeof *q);
    struct ydoc_node *acc = ydoc_get(model_map, "accuracy");
    if (acc) {
        q->has_accuracy = true; /* before loading, so a partial load is freed */
        q->accuracy_node = acc;
        if (ydoc_expect(acc, YDOC_MAP, err) != 0 ||
            accuracy_load(&q->accuracy, acc, datasets, err) != 0)
            return -1;
    }
    struct ydoc_node *price = ydoc_get(model_map, "price");
    if (price && ydoc_expect(price, YDOC_MAP, err) != 0)
        return -1;
    return cost_load(&q->price, price, err);
}

void llm_quality_free(struct llm_quality *q)
{
    if (q->has_accuracy)
        accuracy_free(&q->accuracy);
    cost_free(&q->price);
}
