/* rein-identity.h: one Rein identity, as the store keeps it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define REIN_TYPE_IDENTITY (rein_identity_get_type ())
G_DECLARE_FINAL_TYPE (ReinIdentity, rein_identity, REIN, IDENTITY, GObject)

/* What a user chooses for a new identity. */
typedef struct
{
  const gchar *name;
  const gchar *contact;
  gboolean will_mediate;
  gdouble mediator_fee_percent;
  gboolean testnet;
} ReinIdentityParams;

gint64 rein_identity_get_id (ReinIdentity *self);
const gchar *rein_identity_get_name (ReinIdentity *self);
const gchar *rein_identity_get_contact (ReinIdentity *self);
const gchar *rein_identity_get_master_address (ReinIdentity *self);
const gchar *rein_identity_get_delegate_address (ReinIdentity *self);
const gchar *rein_identity_get_delegate_public_key (ReinIdentity *self);
gboolean rein_identity_get_will_mediate (ReinIdentity *self);
/* As the enrollment writes it, e.g. "1.0%"; NULL when not a mediator. */
const gchar *rein_identity_get_mediator_fee (ReinIdentity *self);
gboolean rein_identity_get_testnet (ReinIdentity *self);
/* TRUE when created or restored from a recovery phrase (the master key is
 * then available for signing); FALSE for imported keys. */
gboolean rein_identity_get_has_mnemonic (ReinIdentity *self);
/* The armored, verified enrollment, or NULL when none is known yet
 * (python-rein backups carry none). */
const gchar *rein_identity_get_enrollment (ReinIdentity *self);
/* What this computer calls the identity: the name it was enrolled with
 * unless the user renamed it here (rein_store_rename_identity()). Others
 * see the enrolled name, which documents carry: a signed enrollment cannot
 * be changed. Read on the thread that owns the object (the main thread for
 * the session's identities); "label" is notified when it changes. */
const gchar *rein_identity_get_label (ReinIdentity *self);

/* For the store only. */
ReinIdentity *_rein_identity_new (gint64 id,
                                  const gchar *name,
                                  const gchar *contact,
                                  const gchar *master_address,
                                  const gchar *delegate_address,
                                  const gchar *delegate_public_key,
                                  gboolean will_mediate,
                                  const gchar *mediator_fee,
                                  gboolean testnet,
                                  gboolean has_mnemonic,
                                  const gchar *enrollment,
                                  const gchar *label);
void _rein_identity_set_label (ReinIdentity *self, const gchar *label);

G_END_DECLS
