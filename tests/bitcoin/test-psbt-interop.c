/* test-psbt-interop.c: our escrow payout PSBTs against two independent
 * implementations, bitcoinjs-lib (Node.js) and Electrum (Debian's
 * python3-electrum)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * For both escrow scripts and every ordered pair of signers that may
 * spend:
 * - ours first: our PSBT, signed by the first party with our code, is
 *   parsed by the other implementation, which signs the second party's
 *   copy, combines and finalizes; its transaction must be byte for byte
 *   the one our finalizer makes from the same signatures;
 * - theirs first: the other implementation makes the PSBT (it must be the
 *   one we make) and signs it for the first party; we add the second
 *   signature, combine, finalize and extract.
 * Each with a one-input payout (build_payout()) and with the two-coin
 * payout the client itself builds (rein_payout_plan_build_psbt()). Every
 * input of every transaction is then checked by python-bitcoinlib's
 * VerifyScript.
 * Sets of signers that may not spend (one key, or twice the same; the
 * creator and the worker on the mediator escrow) are refused by both
 * finalizers, and a PSBT with a partial signature twice by both parsers.
 *
 * The drivers (bitcoinjs-psbt.cjs, electrum-psbt.py) take one batch of
 * operations on stdin and answer them all: one run of each per test.
 * Electrum 4.3 cannot finalize the mediator escrow script (it rebuilds an
 * m-of-n multisig script from the keys it is told): there it signs and
 * combines, and our finalizer finalizes.
 */
#include "escrow-test-util.h"
#include "rein-payout.h"

#define N_JOBS 2
#define SECOND_COIN 40000

typedef struct
{
  const gchar *name;
  const gchar *script;
  gchar *interpreter;
  /* signs with RFC 6979 nonces as we do (Electrum grinds for a low R) */
  gboolean same_nonces;
  /* finalizes the mediator escrow script */
  gboolean finalizes_mandatory;
} Tool;

typedef enum
{
  CHECK_OURS_FIRST,
  CHECK_THEIRS_FIRST,
  CHECK_REFUSED,
  CHECK_DUPLICATE,
  CHECK_WRONG_TEMPLATE,
} CheckKind;

typedef struct
{
  CheckKind kind;
  gchar *label;
  Job *job;
  guint e;
  guint first, second; /* parties, in signing order */
  guint set;           /* for CHECK_REFUSED */
  ReinPsbt *base;      /* our unsigned payout */
  GPtrArray *prev;     /* ReinTx: the transaction each input spends */
  gboolean planned;    /* made by rein_payout_plan_build_psbt() */
  ReinPsbt *ours;      /* signed by us: the first (ours first) or second party */
  gint op_create, op_sign, op_final;
  GPtrArray *op_signs; /* for CHECK_REFUSED: gint indices */
  gchar *raw;          /* for CHECK_DUPLICATE: the PSBT, base64 */
} Check;

static void
check_free (Check *c)
{
  g_free (c->label);
  g_free (c->raw);
  g_clear_pointer (&c->base, rein_psbt_free);
  g_clear_pointer (&c->prev, g_ptr_array_unref);
  g_clear_pointer (&c->ours, rein_psbt_free);
  g_clear_pointer (&c->op_signs, g_ptr_array_unref);
  g_free (c);
}

/* Operations for the driver, and "$N" references to their results. */
typedef struct
{
  JsonArray *ops;
} Batch;

static gint
batch_add (Batch *batch, JsonObject *op)
{
  json_array_add_object_element (batch->ops, op);
  return json_array_get_length (batch->ops) - 1;
}

static gchar *
ref (gint op)
{
  return g_strdup_printf ("$%d", op);
}

static JsonArray *
string_array (const gchar *const *strings)
{
  JsonArray *array = json_array_new ();

  for (guint i = 0; strings[i] != NULL; i++)
    json_array_add_string_element (array, strings[i]);
  return array;
}

static gchar *
key_hex (const ReinPrivateKey *key)
{
  return rein_hex_encode (rein_private_key_get_secret (key), 32);
}

static gint
op_sign (Batch *batch, const gchar *psbt, const ReinPrivateKey *key)
{
  JsonObject *op = json_object_new ();
  g_autofree gchar *hex = key_hex (key);

  json_object_set_string_member (op, "op", "sign");
  json_object_set_string_member (op, "psbt", psbt);
  json_object_set_string_member (op, "key", hex);
  return batch_add (batch, op);
}

/* The public keys of escrow @e in script order. */
static JsonArray *
script_keys (Job *job, guint e)
{
  static const guint order[2][3] = { { CREATOR, MEDIATOR, WORKER }, { MEDIATOR, CREATOR, WORKER } };
  JsonArray *keys = json_array_new ();

  for (guint i = 0; i < 3; i++)
    {
      g_autofree gchar *hex = rein_private_key_get_public_key_hex (job->keys[order[e][i]]);

      json_array_add_string_element (keys, hex);
    }
  return keys;
}

/* Combines @psbts and finalizes. Electrum is told the script type, the
 * number of signatures and the keys, which is all it finalizes from. */
static gint
op_finalize (Batch *batch, Job *job, guint e, const gchar *const *psbts)
{
  JsonObject *op = json_object_new ();

  json_object_set_string_member (op, "op", "finalize");
  json_object_set_array_member (op, "psbts", string_array (psbts));
  json_object_set_string_member (op, "script_type", "p2sh");
  json_object_set_int_member (op, "num_sig", 2);
  json_object_set_array_member (op, "pubkeys", script_keys (job, e));
  return batch_add (batch, op);
}

static gint
op_combine (Batch *batch, const gchar *const *psbts)
{
  JsonObject *op = json_object_new ();

  json_object_set_string_member (op, "op", "combine");
  json_object_set_array_member (op, "psbts", string_array (psbts));
  return batch_add (batch, op);
}

static gint
op_parse (Batch *batch, const gchar *psbt)
{
  JsonObject *op = json_object_new ();

  json_object_set_string_member (op, "op", "parse");
  json_object_set_string_member (op, "psbt", psbt);
  return batch_add (batch, op);
}

/* The payout @base describes (spending @prev, escrow @e), made from
 * scratch by the other side. */
static gint
op_create (Batch *batch, Job *job, guint e, const ReinPsbt *base, GPtrArray *prev)
{
  JsonObject *op = json_object_new ();
  JsonArray *ins = json_array_new ();
  JsonArray *outs = json_array_new ();
  const ReinTx *tx = rein_psbt_get_tx (base);
  g_autofree gchar *redeem = rein_hex_encode (g_bytes_get_data (job->redeem[e], NULL),
                                              g_bytes_get_size (job->redeem[e]));

  g_assert_cmpuint (tx->inputs->len, ==, prev->len);
  json_object_set_string_member (op, "op", "create");
  json_object_set_int_member (op, "version", tx->version);
  json_object_set_int_member (op, "locktime", tx->locktime);
  for (guint i = 0; i < tx->inputs->len; i++)
    {
      JsonObject *in = json_object_new ();
      g_autofree gchar *utxo = rein_tx_to_hex (g_ptr_array_index (prev, i));

      json_object_set_string_member (in, "utxo", utxo);
      json_object_set_int_member (in, "vout", rein_tx_get_input (tx, i)->prev_vout);
      json_object_set_int_member (in, "sequence", rein_tx_get_input (tx, i)->sequence);
      json_object_set_string_member (in, "redeem", redeem);
      json_array_add_object_element (ins, in);
    }
  for (guint i = 0; i < tx->outputs->len; i++)
    {
      JsonObject *out = json_object_new ();
      const ReinTxOut *o = rein_tx_get_output (tx, i);
      g_autofree gchar *script = rein_hex_encode (o->script_pubkey->data, o->script_pubkey->len);

      json_object_set_string_member (out, "script", script);
      json_object_set_int_member (out, "value", o->value);
      json_array_add_object_element (outs, out);
    }
  json_object_set_array_member (op, "inputs", ins);
  json_object_set_array_member (op, "outputs", outs);
  return batch_add (batch, op);
}

/* Runs the batch through the tool's driver: one result per operation. */
static JsonArray *
batch_run (Tool *tool, Batch *batch)
{
  g_autoptr (JsonObject) request = json_object_new ();
  g_autoptr (JsonNode) node = json_node_new (JSON_NODE_OBJECT);
  g_autoptr (JsonGenerator) generator = json_generator_new ();
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GBytes) input = NULL;
  g_autoptr (GBytes) answer = NULL;
  g_autoptr (GError) error = NULL;
  JsonArray *results;
  gsize len = 0;
  gchar *data;

  json_object_set_array_member (request, "ops", json_array_ref (batch->ops));
  json_node_set_object (node, request);
  json_generator_set_root (generator, node);
  data = json_generator_to_data (generator, &len);
  input = g_bytes_new_take (data, len);
  answer = crosscheck_run (tool->interpreter, tool->script, input);
  json_parser_load_from_data (parser, g_bytes_get_data (answer, NULL), g_bytes_get_size (answer),
                              &error);
  g_assert_no_error (error);
  results = json_node_get_array (json_parser_get_root (parser));
  g_assert_nonnull (results);
  g_assert_cmpuint (json_array_get_length (results), ==, json_array_get_length (batch->ops));
  return json_array_ref (results);
}

static JsonObject *
result_ok (Tool *tool, JsonArray *results, gint op, const gchar *label)
{
  JsonObject *r = json_array_get_object_element (results, op);

  if (!json_object_get_boolean_member (r, "ok"))
    g_error ("%s, %s: operation %d failed: %s", tool->name, label, op,
             json_object_get_string_member (r, "error"));
  return r;
}

/* The PSBT of result @op, parsed by us. */
static ReinPsbt *
result_psbt (Tool *tool, JsonArray *results, gint op, const gchar *label)
{
  JsonObject *r = result_ok (tool, results, op, label);
  g_autoptr (GError) error = NULL;
  ReinPsbt *psbt = rein_psbt_parse_base64 (json_object_get_string_member (r, "psbt"), &error);

  g_assert_no_error (error);
  return psbt;
}

/* A copy of @psbt with every input signed by @party. */
static ReinPsbt *
signed_copy (const ReinPsbt *psbt, Job *job, guint party)
{
  g_autoptr (GError) error = NULL;
  ReinPsbt *copy = rein_psbt_copy (psbt);

  for (guint i = 0; i < rein_psbt_get_n_inputs (copy); i++)
    {
      g_assert_true (rein_psbt_sign_input (copy, i, job->keys[party], &error));
      g_assert_no_error (error);
    }
  return copy;
}

/* Every input of @tx, for VerifyScript. */
static void
add_cases (GPtrArray *cases, const gchar *label, const ReinTx *tx, Job *job, guint e,
           gboolean expect)
{
  for (guint i = 0; i < tx->inputs->len; i++)
    {
      g_autofree gchar *input_label = g_strdup_printf ("%s, input %u", label, i);

      g_ptr_array_add (cases, case_new_at (tx->inputs->len > 1 ? input_label : label, tx, i, job,
                                           e, expect));
    }
}

/* The payout of escrow @e as the client plans it when the creator
 * accepts: every coin of the escrow (two: the job's funding and one more)
 * to the worker, or the mediator; SIGHASH_ALL set; the fee from the
 * vsize. */
static ReinPsbt *
build_planned (Job *job, guint e, GPtrArray *prev)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ReinEscrowStatus) status = g_new0 (ReinEscrowStatus, 1);
  ReinEscrowAccount *account = e == 0 ? &status->primary : &status->mediator;
  g_autoptr (ReinPayees) payees = g_new0 (ReinPayees, 1);
  g_autoptr (ReinPayoutPlan) plan = NULL;
  g_autoptr (GPtrArray) raw = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  ReinTx *second = rein_tx_new (2, 0);
  ReinPsbt *psbt;
  guint8 txid[32];

  status->testnet = TRUE;
  status->looked_up = TRUE;
  status->bid_amount = PRIMARY_AMOUNT;
  account->address = rein_address_p2sh_from_script (g_bytes_get_data (job->redeem[e], NULL),
                                                    g_bytes_get_size (job->redeem[e]),
                                                    REIN_NETWORK_TESTNET);
  account->redeem_script_hex = rein_hex_encode (g_bytes_get_data (job->redeem[e], NULL),
                                                g_bytes_get_size (job->redeem[e]));
  account->coins = g_ptr_array_new_with_free_func ((GDestroyNotify) rein_utxo_free);

  /* a second coin, output 1 of a transaction of its own */
  rein_random_bytes (txid, sizeof txid);
  rein_tx_add_input (second, txid, 0, 0xffffffff);
  rein_tx_add_output (second, 1000, (const guint8 *) "\x51", 1);
  g_assert_nonnull (rein_tx_add_output_address (second, account->address, REIN_NETWORK_TESTNET,
                                                SECOND_COIN, &error));
  g_assert_no_error (error);
  g_ptr_array_add (prev, rein_tx_copy (job->funding));
  g_ptr_array_add (prev, second);
  for (guint i = 0; i < prev->len; i++)
    {
      ReinTx *tx = g_ptr_array_index (prev, i);
      ReinUtxo *coin = g_new0 (ReinUtxo, 1);

      coin->txid = rein_tx_get_txid_hex (tx);
      coin->vout = i == 0 ? e : 1;
      coin->value = rein_tx_get_output (tx, coin->vout)->value;
      coin->confirmed = TRUE;
      coin->block_height = 100;
      account->confirmed += coin->value;
      g_ptr_array_add (account->coins, coin);
      g_ptr_array_add (raw, g_byte_array_free_to_bytes (rein_tx_serialize (tx, FALSE)));
    }
  account->due = account->confirmed;

  payees->creator = rein_private_key_get_address (job->keys[CREATOR], REIN_NETWORK_TESTNET);
  payees->mediator = rein_private_key_get_address (job->keys[MEDIATOR], REIN_NETWORK_TESTNET);
  payees->worker = rein_private_key_get_address (job->keys[WORKER], REIN_NETWORK_TESTNET);
  plan = rein_payout_plan_new (status, e == 0, payees, REIN_PAYOUT_ACCEPT, 0, 1000 * FEE_RATE, 0,
                               &error);
  g_assert_no_error (error);
  psbt = rein_payout_plan_build_psbt (plan, raw, TRUE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (rein_psbt_get_n_inputs (psbt), ==, 2);
  return psbt;
}

/* Ours finalizes and extracts the combination of @a and @b. */
static ReinTx *
our_final (const ReinPsbt *a, const ReinPsbt *b)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ReinPsbt) combined = rein_psbt_copy (a);
  ReinTx *tx;

  g_assert_true (rein_psbt_combine (combined, b, &error));
  g_assert_no_error (error);
  g_assert_true (rein_psbt_finalize (combined, &error));
  g_assert_no_error (error);
  tx = rein_psbt_extract (combined, &error);
  g_assert_no_error (error);
  return tx;
}

/* Whether a DER signature has an R of at most 32 bytes with no padding. */
static gboolean
low_r (GBytes *sig)
{
  const guint8 *der = g_bytes_get_data (sig, NULL);

  return g_bytes_get_size (sig) > 4 && der[3] <= 0x20;
}

/* The other side's signature of @party against ours on the same payout:
 * the same bytes, with RFC 6979 on both sides; with Electrum, which tries
 * other nonces until R is below 2^255, the same when ours has a low R,
 * else one with a low R. */
static void
compare_signatures (Tool *tool, Job *job, guint party, ReinPsbt *theirs, ReinPsbt *ours)
{
  g_autoptr (GBytes) their_sig = signature_of (theirs, job, party);
  g_autoptr (GBytes) our_sig = signature_of (ours, job, party);

  if (tool->same_nonces || low_r (our_sig))
    g_assert_true (g_bytes_equal (their_sig, our_sig));
  else
    {
      g_assert_true (low_r (their_sig));
      g_assert_false (g_bytes_equal (their_sig, our_sig));
    }
}

/* The other side's final transaction (or, where it cannot finalize, its
 * combined PSBT, which we finalize) against ours: the same bytes. */
static void
compare_final (Tool *tool, Check *c, JsonArray *results, const ReinTx *ours)
{
  g_autofree gchar *our_hex = rein_tx_to_hex (ours);
  g_autoptr (ReinPsbt) psbt = result_psbt (tool, results, c->op_final, c->label);
  g_autoptr (ReinTx) extracted = NULL;
  g_autofree gchar *extracted_hex = NULL;
  g_autoptr (GError) error = NULL;

  if (c->e == 1 && !tool->finalizes_mandatory)
    {
      /* their combination of both signatures, finalized by us */
      g_autoptr (GPtrArray) sigs = rein_psbt_get_partial_signatures (psbt, 0);

      g_assert_cmpuint (sigs->len, ==, 2);
      g_assert_true (rein_psbt_finalize (psbt, &error));
      g_assert_no_error (error);
    }
  else
    {
      JsonObject *r = json_array_get_object_element (results, c->op_final);

      g_assert_cmpstr (json_object_get_string_member (r, "tx"), ==, our_hex);
      /* their finalized PSBT, extracted by us */
      g_assert_true (rein_psbt_input_is_finalized (psbt, 0));
    }
  extracted = rein_psbt_extract (psbt, &error);
  g_assert_no_error (error);
  extracted_hex = rein_tx_to_hex (extracted);
  g_assert_cmpstr (extracted_hex, ==, our_hex);
}

static GPtrArray *
new_check_list (void)
{
  return g_ptr_array_new_with_free_func ((GDestroyNotify) check_free);
}

/* A check of escrow @e of @job; its base payout by build_payout(), or
 * rein_payout_plan_build_psbt() when @planned. */
static Check *
check_new (GPtrArray *checks, CheckKind kind, Job *job, guint e, guint set, gboolean planned)
{
  Check *c = g_new0 (Check, 1);
  g_autofree gchar *name = set_name (set);

  c->kind = kind;
  c->job = job;
  c->e = e;
  c->set = set;
  c->planned = planned;
  c->prev = g_ptr_array_new_with_free_func ((GDestroyNotify) rein_tx_free);
  if (planned)
    c->base = build_planned (job, e, c->prev);
  else
    {
      guint64 fee;
      gsize vsize;

      c->base = build_payout (job, e, e == 0 ? WORKER : MEDIATOR, &fee, &vsize);
      g_ptr_array_add (c->prev, rein_tx_copy (job->funding));
    }
  c->op_create = c->op_sign = c->op_final = -1;
  c->label = g_strdup_printf ("escrow %u, %s", e, name);
  g_ptr_array_add (checks, c);
  return c;
}

static const gchar *const kind_names[] = {
  "ours first", "theirs first", "may not spend", "a signature twice", "told the wrong template",
};

/* @first signs, then @second: one on our side, the other on theirs. */
static void
plan_pair (GPtrArray *checks, Batch *batch, Tool *tool, Job *job, guint e, guint first,
           guint second, CheckKind kind, gboolean planned)
{
  Check *c = check_new (checks, kind, job, e, (1 << first) | (1 << second), planned);
  g_autofree gchar *base64 = rein_psbt_to_base64 (c->base);
  g_autofree gchar *mine = NULL;
  g_autofree gchar *theirs = NULL;
  const gchar *both[] = { NULL, NULL, NULL };

  c->first = first;
  c->second = second;
  g_free (c->label);
  c->label = g_strdup_printf ("escrow %u%s, %s then %s, %s", e, planned ? " (planned)" : "",
                              party_names[first], party_names[second], kind_names[kind]);
  if (kind == CHECK_OURS_FIRST)
    {
      c->ours = signed_copy (c->base, job, first);
      c->op_sign = op_sign (batch, base64, job->keys[second]);
    }
  else
    {
      g_autofree gchar *created = NULL;

      c->ours = signed_copy (c->base, job, second);
      c->op_create = op_create (batch, job, e, c->base, c->prev);
      created = ref (c->op_create);
      c->op_sign = op_sign (batch, created, job->keys[first]);
    }
  mine = rein_psbt_to_base64 (c->ours);
  theirs = ref (c->op_sign);
  both[0] = mine;
  both[1] = theirs;
  if (e == 1 && !tool->finalizes_mandatory)
    c->op_final = op_combine (batch, both);
  else
    c->op_final = op_finalize (batch, job, e, both);
}

/* The operations of every check of one job. */
static void
plan_job (GPtrArray *checks, Batch *batch, Tool *tool, Job *job)
{
  for (guint e = 0; e < 2; e++)
    {
      for (guint first = 0; first < 3; first++)
        for (guint second = 0; second < 3; second++)
          {
            if (first == second || !may_spend (e, (1 << first) | (1 << second)))
              continue;
            for (CheckKind kind = CHECK_OURS_FIRST; kind <= CHECK_THEIRS_FIRST; kind++)
              for (guint planned = 0; planned < 2; planned++)
                plan_pair (checks, batch, tool, job, e, first, second, kind, planned);
          }

      /* every set that may not spend, signed by the other side; one
       * signer's signature given twice */
      for (guint set = 1; set < 8; set++)
        {
          Check *c;
          g_autofree gchar *base64 = NULL;
          g_autoptr (GPtrArray) refs = g_ptr_array_new_with_free_func (g_free);

          if (may_spend (e, set))
            continue;
          c = check_new (checks, CHECK_REFUSED, job, e, set, FALSE);
          c->op_signs = g_ptr_array_new ();
          base64 = rein_psbt_to_base64 (c->base);
          for (guint p = 0; p < 3; p++)
            if (set & (1 << p))
              {
                gint op = op_sign (batch, base64, job->keys[p]);

                g_ptr_array_add (c->op_signs, GINT_TO_POINTER (op));
                g_ptr_array_add (refs, ref (op));
              }
          if (refs->len == 1)
            g_ptr_array_add (refs, g_strdup (g_ptr_array_index (refs, 0)));
          g_ptr_array_add (refs, NULL);
          c->op_final = op_finalize (batch, job, e, (const gchar *const *) refs->pdata);
        }

      /* a PSBT that has a partial signature twice */
      {
        Check *c = check_new (checks, CHECK_DUPLICATE, job, e, 1 << MEDIATOR, FALSE);
        g_autoptr (GBytes) global = NULL;
        g_autoptr (GBytes) input = NULL;
        g_autoptr (GBytes) output = NULL;
        g_autoptr (GBytes) sig = NULL;
        g_autoptr (GByteArray) raw = g_byte_array_new ();
        guint8 pubkey[65], byte;
        gsize pubkey_len;

        c->ours = signed_copy (c->base, job, MEDIATOR);
        global = rein_psbt_serialize_map (c->ours, REIN_PSBT_MAP_GLOBAL, 0);
        input = rein_psbt_serialize_map (c->ours, REIN_PSBT_MAP_INPUT, 0);
        output = rein_psbt_serialize_map (c->ours, REIN_PSBT_MAP_OUTPUT, 0);
        sig = signature_of (c->ours, job, MEDIATOR);
        pubkey_len = rein_private_key_get_public_key (job->keys[MEDIATOR], pubkey);
        g_byte_array_append (raw, (const guint8 *) "psbt\xff", 5);
        g_byte_array_append (raw, g_bytes_get_data (global, NULL), g_bytes_get_size (global));
        /* the input map without its separator, the record again, the
         * separator */
        g_byte_array_append (raw, g_bytes_get_data (input, NULL), g_bytes_get_size (input) - 1);
        byte = 1 + pubkey_len;
        g_byte_array_append (raw, &byte, 1);
        byte = REIN_PSBT_IN_PARTIAL_SIG;
        g_byte_array_append (raw, &byte, 1);
        g_byte_array_append (raw, pubkey, pubkey_len);
        byte = g_bytes_get_size (sig);
        g_byte_array_append (raw, &byte, 1);
        g_byte_array_append (raw, g_bytes_get_data (sig, NULL), g_bytes_get_size (sig));
        byte = 0;
        g_byte_array_append (raw, &byte, 1);
        g_byte_array_append (raw, g_bytes_get_data (output, NULL), g_bytes_get_size (output));
        c->raw = g_base64_encode (raw->data, raw->len);
        c->op_final = op_parse (batch, c->raw);
      }
    }

  /* Electrum told that the mediator escrow is a 2-of-3 of its keys: it
   * finalizes with a script of its own, which the escrow does not pay */
  if (!tool->finalizes_mandatory)
    {
      Check *c = check_new (checks, CHECK_WRONG_TEMPLATE, job, 1, 0, FALSE);
      g_autofree gchar *mediator = NULL;
      g_autofree gchar *worker = NULL;
      const gchar *both[] = { NULL, NULL, NULL };

      c->ours = signed_copy (c->base, job, MEDIATOR);
      {
        g_autoptr (ReinPsbt) other = signed_copy (c->base, job, WORKER);

        mediator = rein_psbt_to_base64 (c->ours);
        worker = rein_psbt_to_base64 (other);
      }
      both[0] = worker;
      both[1] = mediator;
      c->op_final = op_finalize (batch, job, 1, both);
    }
}

/* Checks the answers to one check's operations; adds the transactions
 * for VerifyScript to @cases. */
static void
verify_check (Tool *tool, Check *c, JsonArray *results, GPtrArray *cases)
{
  g_autoptr (GError) error = NULL;
  Job *job = c->job;

  switch (c->kind)
    {
    case CHECK_OURS_FIRST:
      {
        g_autoptr (ReinPsbt) theirs = result_psbt (tool, results, c->op_sign, c->label);
        g_autoptr (ReinPsbt) ours_second = signed_copy (c->base, job, c->second);
        g_autoptr (ReinTx) tx = our_final (c->ours, theirs);

        compare_signatures (tool, job, c->second, theirs, ours_second);
        compare_final (tool, c, results, tx);
        add_cases (cases, c->label, tx, job, c->e, TRUE);
        break;
      }
    case CHECK_THEIRS_FIRST:
      {
        g_autoptr (ReinPsbt) created = result_psbt (tool, results, c->op_create, c->label);
        g_autoptr (ReinPsbt) theirs = result_psbt (tool, results, c->op_sign, c->label);
        g_autoptr (ReinPsbt) ours_second = signed_copy (created, job, c->second);
        g_autoptr (ReinPsbt) ours_first = signed_copy (c->base, job, c->first);
        g_autoptr (GBytes) created_raw = rein_psbt_serialize (created);
        g_autoptr (GBytes) base_raw = rein_psbt_serialize (c->base);
        g_autofree gchar *created_tx = rein_tx_to_hex (rein_psbt_get_tx (created));
        g_autofree gchar *base_tx = rein_tx_to_hex (rein_psbt_get_tx (c->base));
        g_autoptr (GBytes) sig_on_theirs = signature_of (ours_second, job, c->second);
        g_autoptr (GBytes) sig_on_ours = signature_of (c->ours, job, c->second);
        g_autoptr (ReinTx) tx = NULL;

        /* their PSBT is ours: the same transaction, and byte for byte
         * where ours has no more than they were given (the client's
         * sets SIGHASH_ALL as well); our signature on it is the same */
        g_assert_cmpstr (created_tx, ==, base_tx);
        g_assert_true (c->planned || g_bytes_equal (created_raw, base_raw));
        g_assert_true (g_bytes_equal (sig_on_theirs, sig_on_ours));
        compare_signatures (tool, job, c->first, theirs, ours_first);
        tx = our_final (theirs, ours_second);
        compare_final (tool, c, results, tx);
        add_cases (cases, c->label, tx, job, c->e, TRUE);
        break;
      }
    case CHECK_REFUSED:
      {
        JsonObject *r = json_array_get_object_element (results, c->op_final);
        g_autoptr (ReinPsbt) combined = rein_psbt_copy (c->base);

        for (guint i = 0; i < c->op_signs->len; i++)
          {
            g_autoptr (ReinPsbt) theirs = result_psbt (
                tool, results, GPOINTER_TO_INT (g_ptr_array_index (c->op_signs, i)), c->label);

            g_assert_true (rein_psbt_combine (combined, theirs, &error));
            g_assert_no_error (error);
          }
        g_assert_false (rein_psbt_finalize (combined, &error));
        g_assert_error (error, REIN_BITCOIN_ERROR, REIN_BITCOIN_ERROR_INCOMPLETE);
        g_clear_error (&error);
        if (json_object_get_boolean_member (r, "ok"))
          {
            g_autoptr (ReinTx) tx = NULL;
            g_autofree gchar *label = g_strdup_printf ("%s, as %s finalized it", c->label,
                                                       tool->name);

            /* only where it cannot know the script: then the network
             * must refuse what it made */
            g_assert_false (tool->finalizes_mandatory);
            g_assert_cmpuint (c->e, ==, 1);
            tx = rein_tx_parse_hex (json_object_get_string_member (r, "tx"), &error);
            g_assert_no_error (error);
            g_ptr_array_add (cases, case_new (label, tx, job, c->e, FALSE));
          }
        else
          g_test_message ("%s: %s refuses: %s", c->label, tool->name,
                          json_object_get_string_member (r, "error"));
        break;
      }
    case CHECK_DUPLICATE:
      {
        JsonObject *r = json_array_get_object_element (results, c->op_final);
        ReinPsbt *psbt = rein_psbt_parse_base64 (c->raw, &error);

        g_assert_null (psbt);
        g_assert_error (error, REIN_BITCOIN_ERROR, REIN_BITCOIN_ERROR_INVALID_PSBT);
        g_test_message ("a partial signature twice: ours refuses: %s; %s: %s", error->message,
                        tool->name, json_object_get_boolean_member (r, "ok")
                            ? "accepted" : json_object_get_string_member (r, "error"));
        g_assert_false (json_object_get_boolean_member (r, "ok"));
        break;
      }
    case CHECK_WRONG_TEMPLATE:
      {
        JsonObject *r = result_ok (tool, results, c->op_final, "told the wrong template");
        g_autoptr (ReinTx) tx = rein_tx_parse_hex (json_object_get_string_member (r, "tx"), &error);
        const ReinTxIn *in;
        g_autoptr (GArray) ops = NULL;
        const ReinScriptOp *last;

        g_assert_no_error (error);
        in = rein_tx_get_input (tx, 0);
        ops = rein_script_parse (in->script_sig->data, in->script_sig->len, &error);
        g_assert_no_error (error);
        last = &g_array_index (ops, ReinScriptOp, ops->len - 1);
        /* the script it pushes is not the escrow's */
        g_assert_false (last->len == g_bytes_get_size (job->redeem[1])
                        && memcmp (last->data, g_bytes_get_data (job->redeem[1], NULL),
                                   last->len) == 0);
        g_ptr_array_add (cases, case_new ("mediator escrow finalized by Electrum as a 2-of-3",
                                          tx, job, 1, FALSE));
        break;
      }
    }
}

static void
run_tool (Tool *tool)
{
  g_autoptr (GPtrArray) checks = new_check_list ();
  g_autoptr (GPtrArray) cases = g_ptr_array_new_with_free_func ((GDestroyNotify) case_free);
  g_autoptr (JsonArray) results = NULL;
  Batch batch = { json_array_new () };
  Job jobs[N_JOBS];
  guint accepted = 0, refused = 0, n_refused = 0;

  for (guint j = 0; j < N_JOBS; j++)
    {
      job_init (&jobs[j]);
      plan_job (checks, &batch, tool, &jobs[j]);
    }
  results = batch_run (tool, &batch);
  for (guint i = 0; i < checks->len; i++)
    {
      Check *c = g_ptr_array_index (checks, i);

      verify_check (tool, c, results, cases);
      n_refused += c->kind == CHECK_REFUSED;
    }
  escrow_verify_cases (cases, &accepted, &refused);
  g_test_message ("%s: %u payouts accepted by VerifyScript, %u refused; %u sets refused",
                  tool->name, accepted, refused, n_refused);
  /* per job: 6 ordered pairs on the primary escrow, 4 on the mediator's,
   * each both ways, with one input (build_payout) and two (planned) */
  g_assert_cmpuint (accepted, ==, N_JOBS * 2 * (6 + 4) * (1 + 2));
  /* per job: 3 single signers on the primary escrow; the creator and the
   * worker, or one of the three, on the mediator's */
  g_assert_cmpuint (n_refused, ==, N_JOBS * (3 + 4));
  /* Electrum's creator + worker and its wrong template, per job */
  g_assert_cmpuint (refused, ==, tool->finalizes_mandatory ? 0 : N_JOBS * 2);

  g_clear_pointer (&checks, g_ptr_array_unref);
  json_array_unref (batch.ops);
  for (guint j = 0; j < N_JOBS; j++)
    job_clear (&jobs[j]);
}

static gboolean
verifyscript_available (void)
{
  g_autofree gchar *why = NULL;

  if (python_test_has_module ("bitcoin.core.scripteval"))
    return TRUE;
  why = g_strdup_printf ("python3-bitcoinlib is not installed for %s", rein_test_python ());
  crosscheck_unavailable (why);
  return FALSE;
}

static void
test_bitcoinjs (void)
{
  const gchar *modules = g_getenv ("REIN_NODE_MODULES");
  g_autofree gchar *node = g_find_program_in_path ("node");
  Tool tool = { "bitcoinjs-lib", "bitcoinjs-psbt.cjs", NULL, TRUE, TRUE };

  if (modules == NULL)
    modules = REIN_NODE_MODULES_DEFAULT;
  if (node == NULL)
    node = g_find_program_in_path ("nodejs");
  if (node == NULL)
    {
      crosscheck_unavailable ("no Node.js (node) in PATH (Debian: nodejs npm)");
      return;
    }
  {
    g_autofree gchar *probe = g_build_filename (modules, "bitcoinjs-lib", "package.json", NULL);
    g_autofree gchar *probe2 = g_build_filename (modules, "ecpair", "package.json", NULL);
    g_autofree gchar *probe3 = g_build_filename (modules, "tiny-secp256k1", "package.json", NULL);

    if (!g_file_test (probe, G_FILE_TEST_EXISTS) || !g_file_test (probe2, G_FILE_TEST_EXISTS)
        || !g_file_test (probe3, G_FILE_TEST_EXISTS))
      {
        g_autofree gchar *why = g_strdup_printf (
            "bitcoinjs-lib, ecpair or tiny-secp256k1 is not in %s "
            "(tests/bitcoin/npm-setup.sh installs them)", modules);

        crosscheck_unavailable (why);
        return;
      }
  }
  if (!verifyscript_available ())
    return;
  g_setenv ("NODE_PATH", modules, TRUE);
  tool.interpreter = g_steal_pointer (&node);
  run_tool (&tool);
  g_free (tool.interpreter);
}

static void
test_electrum (void)
{
  Tool tool = { "Electrum", "electrum-psbt.py", NULL, FALSE, FALSE };

  if (!python_test_has_module ("electrum.transaction"))
    {
      g_autofree gchar *why = g_strdup_printf ("python3-electrum is not installed for %s",
                                               rein_test_python ());

      crosscheck_unavailable (why);
      return;
    }
  if (!verifyscript_available ())
    return;
  tool.interpreter = g_strdup (rein_test_python ());
  run_tool (&tool);
  g_free (tool.interpreter);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/bitcoin/psbt-interop/bitcoinjs", test_bitcoinjs);
  g_test_add_func ("/bitcoin/psbt-interop/electrum", test_electrum);

  return g_test_run ();
}
