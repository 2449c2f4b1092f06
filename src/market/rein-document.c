/* rein-document.c: a Rein document (PROTOCOL.md sections 2 and 3)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "rein-labels.h"
#include "rein-market-private.h"

struct _ReinDocument
{
  GObject parent_instance;

  ReinDocumentType type;
  gchar *title;
  /* The signed text: most often a part of @armored byte for byte (at
   * @text_offset), copied out only when asked for (atomic); else a copy
   * of its own from the start ("\r\n" turned into "\n"). A market's
   * refresh holds 400,000 documents, and a second copy of each text was
   * a quarter of its memory. */
  gchar *text;
  gsize text_len;
  gssize text_offset;
  gchar *armored;
  gchar *signer;
  gchar *signature;
  guint8 sig[REIN_COMPACT_SIGNATURE_LEN];
  gchar *hash;
  GPtrArray *fields;
  GListStore *field_model; /* of ReinDocumentField, built on demand */
  ReinDocument *wrapped;   /* the signed message this one's text wraps */

  ReinVerification verification;
  gint verification_code;
  gchar *verification_error;
};

struct _ReinDocumentField
{
  GObject parent_instance;

  gchar *label;
  gchar *value;
};

G_DEFINE_FINAL_TYPE (ReinDocumentField, rein_document_field, G_TYPE_OBJECT)

enum
{
  FIELD_PROP_0,
  FIELD_PROP_LABEL,
  FIELD_PROP_VALUE,
  FIELD_N_PROPS
};

static GParamSpec *field_properties[FIELD_N_PROPS];

static void
rein_document_field_finalize (GObject *object)
{
  ReinDocumentField *self = (ReinDocumentField *) object;

  g_free (self->label);
  g_free (self->value);

  G_OBJECT_CLASS (rein_document_field_parent_class)->finalize (object);
}

static void
rein_document_field_get_property (GObject *object,
                                  guint prop_id,
                                  GValue *value,
                                  GParamSpec *pspec)
{
  ReinDocumentField *self = REIN_DOCUMENT_FIELD (object);

  switch (prop_id)
    {
    case FIELD_PROP_LABEL:
      g_value_set_string (value, self->label);
      break;
    case FIELD_PROP_VALUE:
      g_value_set_string (value, self->value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rein_document_field_class_init (ReinDocumentFieldClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = rein_document_field_finalize;
  object_class->get_property = rein_document_field_get_property;

  field_properties[FIELD_PROP_LABEL] =
    g_param_spec_string ("label", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  field_properties[FIELD_PROP_VALUE] =
    g_param_spec_string ("value", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, FIELD_N_PROPS, field_properties);
}

static void
rein_document_field_init (ReinDocumentField *self)
{
}

ReinDocumentField *
rein_document_field_new (const gchar *label,
                         const gchar *value)
{
  ReinDocumentField *self;

  g_return_val_if_fail (label != NULL, NULL);
  g_return_val_if_fail (value != NULL, NULL);

  self = g_object_new (REIN_TYPE_DOCUMENT_FIELD, NULL);
  self->label = g_strdup (label);
  self->value = g_strdup (value);
  return self;
}

const gchar *
rein_document_field_get_label (ReinDocumentField *self)
{
  g_return_val_if_fail (REIN_IS_DOCUMENT_FIELD (self), NULL);
  return self->label;
}

const gchar *
rein_document_field_get_value (ReinDocumentField *self)
{
  g_return_val_if_fail (REIN_IS_DOCUMENT_FIELD (self), NULL);
  return self->value;
}

G_DEFINE_FINAL_TYPE (ReinDocument, rein_document, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_DOCUMENT_TYPE,
  PROP_TITLE,
  PROP_TEXT,
  PROP_ARMORED,
  PROP_SIGNER,
  PROP_SIGNATURE,
  PROP_HASH,
  PROP_VERIFICATION,
  PROP_VERIFICATION_ERROR,
  PROP_FIELDS,
  PROP_WRAPPED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
rein_document_finalize (GObject *object)
{
  ReinDocument *self = (ReinDocument *) object;

  g_free (self->title);
  g_free (self->text);
  g_free (self->armored);
  g_free (self->signer);
  g_free (self->signature);
  g_free (self->hash);
  g_clear_pointer (&self->fields, g_ptr_array_unref);
  g_clear_object (&self->field_model);
  g_clear_object (&self->wrapped);
  g_free (self->verification_error);

  G_OBJECT_CLASS (rein_document_parent_class)->finalize (object);
}

static void
rein_document_get_property (GObject *object,
                            guint prop_id,
                            GValue *value,
                            GParamSpec *pspec)
{
  ReinDocument *self = REIN_DOCUMENT (object);

  switch (prop_id)
    {
    case PROP_DOCUMENT_TYPE:
      g_value_set_enum (value, self->type);
      break;
    case PROP_TITLE:
      g_value_set_string (value, self->title);
      break;
    case PROP_TEXT:
      g_value_set_string (value, rein_document_get_text (self));
      break;
    case PROP_ARMORED:
      g_value_set_string (value, self->armored);
      break;
    case PROP_SIGNER:
      g_value_set_string (value, self->signer);
      break;
    case PROP_SIGNATURE:
      g_value_set_string (value, self->signature);
      break;
    case PROP_HASH:
      g_value_set_string (value, self->hash);
      break;
    case PROP_VERIFICATION:
      g_value_set_enum (value, self->verification);
      break;
    case PROP_VERIFICATION_ERROR:
      g_value_set_string (value, self->verification_error);
      break;
    case PROP_FIELDS:
      g_value_set_object (value, rein_document_get_field_model (self));
      break;
    case PROP_WRAPPED:
      g_value_set_object (value, self->wrapped);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rein_document_class_init (ReinDocumentClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = rein_document_finalize;
  object_class->get_property = rein_document_get_property;

  properties[PROP_DOCUMENT_TYPE] =
    g_param_spec_enum ("document-type", NULL, NULL,
                       REIN_TYPE_DOCUMENT_TYPE, REIN_DOCUMENT_TYPE_UNKNOWN,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_TITLE] =
    g_param_spec_string ("title", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_TEXT] =
    g_param_spec_string ("text", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_ARMORED] =
    g_param_spec_string ("armored", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_SIGNER] =
    g_param_spec_string ("signer", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_SIGNATURE] =
    g_param_spec_string ("signature", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_HASH] =
    g_param_spec_string ("hash", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_VERIFICATION] =
    g_param_spec_enum ("verification", NULL, NULL,
                       REIN_TYPE_VERIFICATION, REIN_VERIFICATION_UNCHECKED,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_VERIFICATION_ERROR] =
    g_param_spec_string ("verification-error", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_FIELDS] =
    g_param_spec_object ("fields", NULL, NULL, G_TYPE_LIST_MODEL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_WRAPPED] =
    g_param_spec_object ("wrapped", NULL, NULL, REIN_TYPE_DOCUMENT,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
rein_document_init (ReinDocument *self)
{
  self->verification = REIN_VERIFICATION_UNCHECKED;
  self->text_offset = -1; /* a text of its own, until document_new() says otherwise */
}

/* Parses @length bytes of armor. @any accepts signed messages without a Rein
 * title; @depth counts the messages wrapping this one. */
static ReinDocument *
document_new (const gchar *armored,
              gsize length,
              gboolean any,
              guint depth,
              GError **error)
{
  g_autoptr(ReinDocument) self = NULL;
  g_autoptr(ReinDocument) wrapped = NULL;
  g_autofree gchar *title = NULL;
  g_autoptr(GPtrArray) fields = NULL;
  ReinArmorParts parts;
  ReinDocumentType type;

  if (!_rein_armor_split (armored, length, &parts, error))
    return NULL;

  if (any)
    {
      const gchar *nl = memchr (parts.text, '\n', parts.text_len);
      g_autofree gchar *first = g_strndup (parts.text,
                                           nl != NULL ? (gsize) (nl - parts.text) : parts.text_len);

      any = rein_document_type_from_title (first) == REIN_DOCUMENT_TYPE_UNKNOWN;
    }

  if (any)
    {
      g_autofree gchar *inner = NULL;
      gsize inner_len = 0;
      gsize skip_start = 0;
      gsize skip_end = 0;

      if (_rein_wrapped_find (parts.text, parts.text_len, &skip_start, &skip_end,
                              &inner, &inner_len))
        {
          g_autoptr(GError) local_error = NULL;

          if (depth >= REIN_DOCUMENT_MAX_NESTING)
            {
              g_set_error (error, REIN_MARKET_ERROR, REIN_MARKET_ERROR_MALFORMED,
                           "Signed messages are nested more than %d deep",
                           REIN_DOCUMENT_MAX_NESTING);
              _rein_armor_parts_clear (&parts);
              return NULL;
            }
          wrapped = document_new (inner, inner_len, TRUE, depth + 1, &local_error);
          if (wrapped == NULL)
            {
              /* The innermost level says what is wrong; the outermost
               * says where. */
              if (depth == 0)
                g_propagate_prefixed_error (error, g_steal_pointer (&local_error),
                                            "The wrapped signed message: ");
              else
                g_propagate_error (error, g_steal_pointer (&local_error));
              _rein_armor_parts_clear (&parts);
              return NULL;
            }
        }
      _rein_document_text_parse_any (parts.text, parts.text_len, skip_start, skip_end,
                                     &title, &fields);
      type = REIN_DOCUMENT_TYPE_UNKNOWN;
    }
  else
    {
      /* _rein_armor_split() checked every byte of the armored text. */
      if (!_rein_document_text_parse (parts.text, parts.text_len, TRUE, &title, &fields, error))
        {
          _rein_armor_parts_clear (&parts);
          return NULL;
        }

      type = rein_document_type_from_title (title);
      if (type == REIN_DOCUMENT_TYPE_UNKNOWN)
        {
          g_autofree gchar *shown = g_utf8_substring (title, 0,
                                                      MIN (g_utf8_strlen (title, -1), 60));

          g_set_error (error, REIN_MARKET_ERROR, REIN_MARKET_ERROR_UNKNOWN_TYPE,
                       "“%s” is not the title of a Rein document", shown);
          _rein_armor_parts_clear (&parts);
          return NULL;
        }
    }

  self = g_object_new (REIN_TYPE_DOCUMENT, NULL);
  self->type = type;
  self->title = g_steal_pointer (&title);
  self->fields = g_steal_pointer (&fields);
  self->wrapped = g_steal_pointer (&wrapped);
  self->text_len = parts.text_len;
  self->text_offset = parts.text_offset;
  if (self->text_offset < 0)
    self->text = g_steal_pointer (&parts.text);
  self->signer = g_steal_pointer (&parts.address);
  self->signature = g_steal_pointer (&parts.signature);
  memcpy (self->sig, parts.sig, sizeof self->sig);
  self->armored = g_strndup (armored, length);
  self->hash = rein_sha256_hex (armored, length);
  _rein_armor_parts_clear (&parts);

  return g_steal_pointer (&self);
}

static gsize
armored_length (const gchar *armored,
                gssize len)
{
  /* Never scan further than one byte past the limit. */
  if (len < 0)
    return strnlen (armored, REIN_DOCUMENT_MAX_SIZE + 1);
  return (gsize) len;
}

ReinDocument *
rein_document_new_from_armored (const gchar *armored,
                                gssize len,
                                GError **error)
{
  g_return_val_if_fail (armored != NULL || len == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return document_new (armored, armored_length (armored, len), FALSE, 0, error);
}

ReinDocument *
rein_document_new_from_armored_any (const gchar *armored,
                                    gssize len,
                                    GError **error)
{
  g_return_val_if_fail (armored != NULL || len == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return document_new (armored, armored_length (armored, len), TRUE, 0, error);
}

ReinDocument *
rein_document_new_signed (const gchar *text,
                          const ReinPrivateKey *key,
                          ReinNetwork network,
                          GError **error)
{
  g_autofree gchar *signature = NULL;
  g_autofree gchar *address = NULL;
  g_autofree gchar *armored = NULL;
  g_autoptr(ReinDocument) self = NULL;
  gsize len;

  g_return_val_if_fail (text != NULL, NULL);
  g_return_val_if_fail (key != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  len = strlen (text);
  if (memchr (text, '\r', len) != NULL)
    {
      g_set_error_literal (error, REIN_MARKET_ERROR, REIN_MARKET_ERROR_MALFORMED,
                           "A document text to sign must use \\n line breaks");
      return NULL;
    }
  /* Check the text before signing it: parsing the armored result finds the
   * same errors, but with less helpful messages. */
  if (!rein_document_text_parse (text, len, NULL, NULL, error))
    return NULL;

  signature = rein_message_sign (key, text, len, error);
  if (signature == NULL)
    return NULL;
  address = rein_private_key_get_address (key, network);
  armored = rein_armor_build (text, address, signature);

  self = rein_document_new_from_armored (armored, -1, error);
  if (self == NULL)
    return NULL;
  if (!rein_document_verify (self, error))
    return NULL;

  return g_steal_pointer (&self);
}

/* ---- Verification ---- */

static void
set_verification (ReinDocument *self,
                  ReinVerification verification,
                  gint code,
                  const gchar *message)
{
  self->verification = verification;
  self->verification_code = code;
  g_free (self->verification_error);
  self->verification_error = g_strdup (message);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_VERIFICATION]);
  if (message != NULL)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_VERIFICATION_ERROR]);
}

static gsize n_signature_checks; /* atomic */

/* The signed text's bytes (text_len of them), without a copy. */
static const gchar *
signed_text (ReinDocument *self)
{
  return self->text_offset >= 0 ? self->armored + self->text_offset : self->text;
}

const gchar *
_rein_document_get_signed_text (ReinDocument *self, gsize *out_len)
{
  g_return_val_if_fail (REIN_IS_DOCUMENT (self), NULL);
  g_return_val_if_fail (out_len != NULL, NULL);

  *out_len = self->text_len;
  return signed_text (self);
}

static gboolean
check (ReinDocument *self,
       GError **error)
{
  g_autoptr(GError) local_error = NULL;

  g_atomic_pointer_add (&n_signature_checks, 1);

  /* rein_message_verify() also refuses a signer that is not P2PKH. */
  if (!rein_message_verify (self->signer, self->signature, signed_text (self), self->text_len,
                            &local_error))
    {
      g_set_error (error, REIN_MARKET_ERROR, REIN_MARKET_ERROR_BAD_SIGNATURE,
                   "The signature does not verify: %s",
                   local_error != NULL ? local_error->message : "wrong signer");
      return FALSE;
    }

  if (self->type == REIN_DOCUMENT_TYPE_ENROLLMENT)
    {
      const gchar *master = rein_document_get_field (self, REIN_LABEL_MASTER_ADDRESS);
      ReinAddressType master_type;

      if (master == NULL)
        {
          g_set_error_literal (error, REIN_MARKET_ERROR, REIN_MARKET_ERROR_MISSING_FIELD,
                               "The enrollment has no " REIN_LABEL_MASTER_ADDRESS);
          return FALSE;
        }
      if (!rein_address_validate (master, NULL, &master_type, NULL, NULL)
          || master_type != REIN_ADDRESS_P2PKH)
        {
          g_set_error (error, REIN_MARKET_ERROR, REIN_MARKET_ERROR_WRONG_SIGNER,
                       "The enrollment's master signing address %s is not valid", master);
          return FALSE;
        }
      /* Mainnet and testnet spellings of one key hash are the same signer
       * (old testnet documents used mainnet addresses). */
      if (!rein_same_key (master, self->signer))
        {
          g_set_error (error, REIN_MARKET_ERROR, REIN_MARKET_ERROR_WRONG_SIGNER,
                       "The enrollment is signed by %s, not by its master address %s",
                       self->signer, master);
          return FALSE;
        }
    }

  return TRUE;
}

gboolean
rein_document_verify (ReinDocument *self,
                      GError **error)
{
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (REIN_IS_DOCUMENT (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  switch (self->verification)
    {
    case REIN_VERIFICATION_VALID:
      return TRUE;
    case REIN_VERIFICATION_INVALID:
      g_set_error_literal (error, REIN_MARKET_ERROR, self->verification_code,
                           self->verification_error);
      return FALSE;
    case REIN_VERIFICATION_UNCHECKED:
    default:
      break;
    }

  if (!check (self, &local_error))
    {
      set_verification (self, REIN_VERIFICATION_INVALID, local_error->code, local_error->message);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  set_verification (self, REIN_VERIFICATION_VALID, 0, NULL);
  return TRUE;
}

void
rein_document_restore_verification (ReinDocument *self,
                                     ReinVerification verification,
                                     gint code,
                                     const gchar *message)
{
  g_return_if_fail (REIN_IS_DOCUMENT (self));
  g_return_if_fail (verification == REIN_VERIFICATION_VALID
                    || verification == REIN_VERIFICATION_INVALID);

  if (self->verification != REIN_VERIFICATION_UNCHECKED)
    return;
  if (verification == REIN_VERIFICATION_VALID)
    set_verification (self, REIN_VERIFICATION_VALID, 0, NULL);
  else
    set_verification (self, REIN_VERIFICATION_INVALID,
                      code != 0 ? code : REIN_MARKET_ERROR_BAD_SIGNATURE,
                      message != NULL ? message : "The signature does not verify");
}

gint
rein_document_get_verification_code (ReinDocument *self)
{
  g_return_val_if_fail (REIN_IS_DOCUMENT (self), 0);
  return self->verification_code;
}

guint64
rein_document_get_n_signature_checks (void)
{
  return (guint64) g_atomic_pointer_get (&n_signature_checks);
}

/* ---- Getters ---- */

ReinDocumentType
rein_document_get_document_type (ReinDocument *self)
{
  g_return_val_if_fail (REIN_IS_DOCUMENT (self), REIN_DOCUMENT_TYPE_UNKNOWN);
  return self->type;
}

const gchar *
rein_document_get_title (ReinDocument *self)
{
  g_return_val_if_fail (REIN_IS_DOCUMENT (self), NULL);
  return self->title;
}

const gchar *
rein_document_get_text (ReinDocument *self)
{
  gchar *text;

  g_return_val_if_fail (REIN_IS_DOCUMENT (self), NULL);

  text = g_atomic_pointer_get (&self->text);
  if (text == NULL)
    {
      /* Documents are read from several threads: the first copy made wins. */
      gchar *made = g_strndup (self->armored + self->text_offset, self->text_len);

      if (g_atomic_pointer_compare_and_exchange (&self->text, NULL, made))
        text = made;
      else
        {
          g_free (made);
          text = g_atomic_pointer_get (&self->text);
        }
    }
  return text;
}

const gchar *
rein_document_get_armored (ReinDocument *self)
{
  g_return_val_if_fail (REIN_IS_DOCUMENT (self), NULL);
  return self->armored;
}

const gchar *
rein_document_get_signer (ReinDocument *self)
{
  g_return_val_if_fail (REIN_IS_DOCUMENT (self), NULL);
  return self->signer;
}

const gchar *
rein_document_get_signature (ReinDocument *self)
{
  g_return_val_if_fail (REIN_IS_DOCUMENT (self), NULL);
  return self->signature;
}

const gchar *
rein_document_get_hash (ReinDocument *self)
{
  g_return_val_if_fail (REIN_IS_DOCUMENT (self), NULL);
  return self->hash;
}

GPtrArray *
rein_document_get_fields (ReinDocument *self)
{
  g_return_val_if_fail (REIN_IS_DOCUMENT (self), NULL);
  return self->fields;
}

const gchar *
rein_document_find_repeated_label (ReinDocument *self)
{
  g_return_val_if_fail (REIN_IS_DOCUMENT (self), NULL);

  /* a document has a few dozen fields at most; a label and its older
   * spelling ("Mediator pubkey") are the same label */
  for (guint i = 1; self->fields != NULL && i < self->fields->len; i++)
    {
      const ReinField *f = g_ptr_array_index (self->fields, i);
      const gchar *label = rein_label_canonical (f->label);

      for (guint j = 0; j < i; j++)
        if (g_str_equal (label, rein_label_canonical (
                                    ((const ReinField *) g_ptr_array_index (self->fields, j))->label)))
          return f->label;
    }
  return NULL;
}

GListModel *
rein_document_get_field_model (ReinDocument *self)
{
  g_return_val_if_fail (REIN_IS_DOCUMENT (self), NULL);

  /* Documents are read from worker threads too: whoever builds the model
   * first publishes it, a racing builder drops its copy. */
  if (g_atomic_pointer_get (&self->field_model) == NULL)
    {
      GListStore *store = g_list_store_new (REIN_TYPE_DOCUMENT_FIELD);

      for (guint i = 0; self->fields != NULL && i < self->fields->len; i++)
        {
          const ReinField *field = g_ptr_array_index (self->fields, i);
          g_autoptr(ReinDocumentField) item = rein_document_field_new (field->label, field->value);

          g_list_store_append (store, item);
        }
      if (!g_atomic_pointer_compare_and_exchange (&self->field_model, NULL, store))
        g_object_unref (store);
    }
  return G_LIST_MODEL (g_atomic_pointer_get (&self->field_model));
}

const gchar *
rein_document_get_field (ReinDocument *self,
                         const gchar *label)
{
  g_return_val_if_fail (REIN_IS_DOCUMENT (self), NULL);
  g_return_val_if_fail (label != NULL, NULL);

  return rein_fields_lookup (self->fields, label);
}

const gchar *
rein_document_get_field_any (ReinDocument *self,
                             const gchar *const *labels)
{
  g_return_val_if_fail (REIN_IS_DOCUMENT (self), NULL);
  g_return_val_if_fail (labels != NULL, NULL);

  for (guint i = 0; labels[i] != NULL; i++)
    {
      const gchar *value = rein_fields_lookup (self->fields, labels[i]);

      if (value != NULL)
        return value;
    }

  return NULL;
}

const gchar *
rein_document_lookup (ReinDocument *self,
                      const gchar *label)
{
  const gchar *const *aliases;

  g_return_val_if_fail (REIN_IS_DOCUMENT (self), NULL);
  g_return_val_if_fail (label != NULL, NULL);

  aliases = rein_label_aliases (label);
  if (aliases == NULL)
    return rein_fields_lookup (self->fields, label);
  return rein_document_get_field_any (self, aliases);
}

const gchar *
rein_document_get_category (ReinDocument *self)
{
  const gchar *category;
  const gchar *tags;

  g_return_val_if_fail (REIN_IS_DOCUMENT (self), NULL);

  category = rein_fields_lookup (self->fields, REIN_LABEL_CATEGORY);
  if (category != NULL && *category != '\0')
    return category;
  tags = rein_fields_lookup (self->fields, REIN_LABEL_TAGS);
  return tags != NULL ? tags : category;
}

ReinDocument *
rein_document_get_wrapped (ReinDocument *self)
{
  g_return_val_if_fail (REIN_IS_DOCUMENT (self), NULL);
  return self->wrapped;
}

ReinVerification
rein_document_get_verification (ReinDocument *self)
{
  g_return_val_if_fail (REIN_IS_DOCUMENT (self), REIN_VERIFICATION_UNCHECKED);
  return self->verification;
}

const gchar *
rein_document_get_verification_error (ReinDocument *self)
{
  g_return_val_if_fail (REIN_IS_DOCUMENT (self), NULL);
  return self->verification_error;
}
