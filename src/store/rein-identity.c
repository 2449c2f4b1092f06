/* rein-identity.c: one Rein identity, as the store keeps it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "rein-identity.h"

struct _ReinIdentity
{
  GObject parent_instance;

  gint64 id;
  gchar *name;
  gchar *contact;
  gchar *master_address;
  gchar *delegate_address;
  gchar *delegate_public_key;
  gchar *mediator_fee;
  gchar *enrollment;
  gchar *label;             /* NULL: the enrolled name */
  guint will_mediate : 1;
  guint testnet : 1;
  guint has_mnemonic : 1;
};

G_DEFINE_FINAL_TYPE (ReinIdentity, rein_identity, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_ID,
  PROP_NAME,
  PROP_CONTACT,
  PROP_MASTER_ADDRESS,
  PROP_DELEGATE_ADDRESS,
  PROP_DELEGATE_PUBLIC_KEY,
  PROP_WILL_MEDIATE,
  PROP_MEDIATOR_FEE,
  PROP_TESTNET,
  PROP_HAS_MNEMONIC,
  PROP_ENROLLMENT,
  PROP_LABEL,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
rein_identity_finalize (GObject *object)
{
  ReinIdentity *self = (ReinIdentity *) object;

  g_free (self->name);
  g_free (self->contact);
  g_free (self->master_address);
  g_free (self->delegate_address);
  g_free (self->delegate_public_key);
  g_free (self->mediator_fee);
  g_free (self->enrollment);
  g_free (self->label);

  G_OBJECT_CLASS (rein_identity_parent_class)->finalize (object);
}

static void
rein_identity_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  ReinIdentity *self = REIN_IDENTITY (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_int64 (value, self->id);
      break;
    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;
    case PROP_CONTACT:
      g_value_set_string (value, self->contact);
      break;
    case PROP_MASTER_ADDRESS:
      g_value_set_string (value, self->master_address);
      break;
    case PROP_DELEGATE_ADDRESS:
      g_value_set_string (value, self->delegate_address);
      break;
    case PROP_DELEGATE_PUBLIC_KEY:
      g_value_set_string (value, self->delegate_public_key);
      break;
    case PROP_WILL_MEDIATE:
      g_value_set_boolean (value, self->will_mediate);
      break;
    case PROP_MEDIATOR_FEE:
      g_value_set_string (value, self->mediator_fee);
      break;
    case PROP_TESTNET:
      g_value_set_boolean (value, self->testnet);
      break;
    case PROP_HAS_MNEMONIC:
      g_value_set_boolean (value, self->has_mnemonic);
      break;
    case PROP_ENROLLMENT:
      g_value_set_string (value, self->enrollment);
      break;
    case PROP_LABEL:
      g_value_set_string (value, rein_identity_get_label (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rein_identity_class_init (ReinIdentityClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS;

  object_class->finalize = rein_identity_finalize;
  object_class->get_property = rein_identity_get_property;

  properties[PROP_ID] = g_param_spec_int64 ("id", NULL, NULL, 0, G_MAXINT64, 0, flags);
  properties[PROP_NAME] = g_param_spec_string ("name", NULL, NULL, NULL, flags);
  properties[PROP_CONTACT] = g_param_spec_string ("contact", NULL, NULL, NULL, flags);
  properties[PROP_MASTER_ADDRESS] = g_param_spec_string ("master-address", NULL, NULL, NULL, flags);
  properties[PROP_DELEGATE_ADDRESS] =
    g_param_spec_string ("delegate-address", NULL, NULL, NULL, flags);
  properties[PROP_DELEGATE_PUBLIC_KEY] =
    g_param_spec_string ("delegate-public-key", NULL, NULL, NULL, flags);
  properties[PROP_WILL_MEDIATE] = g_param_spec_boolean ("will-mediate", NULL, NULL, FALSE, flags);
  properties[PROP_MEDIATOR_FEE] = g_param_spec_string ("mediator-fee", NULL, NULL, NULL, flags);
  properties[PROP_TESTNET] = g_param_spec_boolean ("testnet", NULL, NULL, FALSE, flags);
  properties[PROP_HAS_MNEMONIC] = g_param_spec_boolean ("has-mnemonic", NULL, NULL, FALSE, flags);
  properties[PROP_ENROLLMENT] = g_param_spec_string ("enrollment", NULL, NULL, NULL, flags);
  /* what this computer calls the identity: notified when renamed */
  properties[PROP_LABEL] = g_param_spec_string ("label", NULL, NULL, NULL,
                                                flags | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
rein_identity_init (ReinIdentity *self)
{
}

ReinIdentity *
_rein_identity_new (gint64 id,
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
                    const gchar *label)
{
  ReinIdentity *self = g_object_new (REIN_TYPE_IDENTITY, NULL);

  self->id = id;
  self->name = g_strdup (name);
  self->contact = g_strdup (contact);
  self->master_address = g_strdup (master_address);
  self->delegate_address = g_strdup (delegate_address);
  self->delegate_public_key = g_strdup (delegate_public_key);
  self->will_mediate = !!will_mediate;
  self->mediator_fee = g_strdup (mediator_fee);
  self->testnet = !!testnet;
  self->has_mnemonic = !!has_mnemonic;
  self->enrollment = g_strdup (enrollment);
  _rein_identity_set_label (self, label);
  return self;
}

const gchar *
rein_identity_get_label (ReinIdentity *self)
{
  g_return_val_if_fail (REIN_IS_IDENTITY (self), NULL);

  return self->label ? self->label : self->name;
}

void
_rein_identity_set_label (ReinIdentity *self, const gchar *label)
{
  g_return_if_fail (REIN_IS_IDENTITY (self));

  /* the enrolled name is no label of its own */
  if (label != NULL && (*label == '\0' || g_strcmp0 (label, self->name) == 0))
    label = NULL;
  if (g_strcmp0 (label, self->label) == 0)
    return;
  g_free (self->label);
  self->label = g_strdup (label);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LABEL]);
}

#define GETTER(type, field)                                  \
  type rein_identity_get_##field (ReinIdentity *self)        \
  {                                                          \
    g_return_val_if_fail (REIN_IS_IDENTITY (self), 0);       \
    return self->field;                                      \
  }

GETTER (gint64, id)
GETTER (const gchar *, name)
GETTER (const gchar *, contact)
GETTER (const gchar *, master_address)
GETTER (const gchar *, delegate_address)
GETTER (const gchar *, delegate_public_key)
GETTER (gboolean, will_mediate)
GETTER (const gchar *, mediator_fee)
GETTER (gboolean, testnet)
GETTER (gboolean, has_mnemonic)
GETTER (const gchar *, enrollment)
