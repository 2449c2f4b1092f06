/* rein-labels.c: the labels of Rein document fields, current and old
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "rein-labels.h"

/* Each row: the current label, then the names earlier clients wrote. The
 * old names come from documents of python-rein's first releases (see the
 * old-format vectors: "Job creator's name", "Mediator pubkey", ...). */
static const gchar *const aliases[][5] = {
  { REIN_LABEL_JOB_CREATOR, "Job creator's name", NULL },
  { REIN_LABEL_JOB_CREATOR_PUBLIC_KEY, "Job creator's public key", NULL },
  { REIN_LABEL_JOB_CREATOR_CONTACT, "Job creator's contact", NULL },
  { REIN_LABEL_JOB_CREATOR_MASTER_ADDRESS, "Job creator's master address", NULL },
  { REIN_LABEL_MEDIATOR, "Mediator's name", NULL },
  { REIN_LABEL_MEDIATOR_PUBLIC_KEY, "Mediator's public key", "Mediator pubkey", NULL },
  { REIN_LABEL_MEDIATOR_CONTACT, "Mediator's contact", NULL },
  { REIN_LABEL_MEDIATOR_MASTER_ADDRESS, "Mediator's master address", NULL },
  { REIN_LABEL_MEDIATOR_FEE, "Mediation fee", NULL },
  { REIN_LABEL_WORKER, "Worker's name", NULL },
  { REIN_LABEL_WORKER_PUBLIC_KEY, "Worker's public key", NULL },
  { REIN_LABEL_WORKER_CONTACT, "Worker's contact", NULL },
  { REIN_LABEL_WORKER_MASTER_ADDRESS, "Worker's master address", NULL },
};

const gchar *const *
rein_label_aliases (const gchar *label)
{
  g_return_val_if_fail (label != NULL, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (aliases); i++)
    if (strcmp (aliases[i][0], label) == 0)
      return aliases[i];

  return NULL;
}

const gchar *
rein_label_canonical (const gchar *label)
{
  g_return_val_if_fail (label != NULL, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (aliases); i++)
    for (guint j = 1; aliases[i][j] != NULL; j++)
      if (strcmp (aliases[i][j], label) == 0)
        return aliases[i][0];

  return label;
}
