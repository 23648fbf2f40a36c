// The field table of TrainConfig and everything driven by it: text, files, JSON, checks, columns.
#include "train/config.h"

#include <toml++/toml.h>

#include <charconv>
#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>

#include "models/sizes.h"
#include "util/error.h"
#include "util/file.h"

namespace lowp {
namespace {

using json = nlohmann::json;

// One table row: the member expression is written once and yields a typed reference.
#define LOWP_FIELD(NAME, MEMBER, FLAGS, HELP)                                       \
  Field {                                                                           \
    NAME, HELP, FieldRef(+[](TrainConfig & c) -> auto& { return c.MEMBER; }), FLAGS \
  }

constexpr unsigned R = kResult;

// Parses a number in full; a leading '+' is allowed (from_chars takes none).
template <class T>
std::errc parse_number(const std::string& s, T& out) {
  const char* first = s.data() + (s.size() > 1 && s[0] == '+' && s[1] != '-' ? 1 : 0);
  auto [p, ec] = std::from_chars(first, s.data() + s.size(), out);
  return ec == std::errc() && p != s.data() + s.size() ? std::errc::invalid_argument : ec;
}

// Parses `text` into the field: "" on success, else what the value must be. The one parser of
// the command line, config files and stored configs, so every integer option rejects what it
// cannot hold (a negative seed was wrapped to 2^64-5) in the same words.
std::string parse_into(const Field& f, TrainConfig& c, const std::string& text) {
  return std::visit(
      [&](auto get) -> std::string {
        auto& ref = get(c);
        using T = std::remove_reference_t<decltype(ref)>;
        if constexpr (std::is_same_v<T, std::string>) {
          ref = text;
        } else if constexpr (std::is_same_v<T, bool>) {
          if (text != "true" && text != "false") return "must be true or false";
          ref = text == "true";
        } else if constexpr (std::is_floating_point_v<T>) {
          T v{};
          if (parse_number(text, v) != std::errc()) return "must be a number";
          ref = v;
        } else {
          T v{};  // from_chars takes no '-' for unsigned types: no wrap-around
          const std::errc ec = parse_number(text, v);
          if (ec == std::errc::result_out_of_range)
            return "must be an integer from " + std::to_string(std::numeric_limits<T>::min()) +
                   " to " + std::to_string(std::numeric_limits<T>::max());
          if (ec != std::errc())
            return std::is_unsigned_v<T> ? "must be a non-negative integer" : "must be an integer";
          ref = v;
        }
        return "";
      },
      f.ref);
}

std::string number_text(double v) {
  char buf[64];
  auto [p, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, p);
}

// Single-quotes a shell word unless it is plainly safe.
std::string shell_word(const std::string& s) {
  const bool safe = !s.empty() && s.find_first_not_of(
                                      "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOP"
                                      "QRSTUVWXYZ0123456789_./:=,+-") == std::string::npos;
  if (safe) return s;
  std::string q = "'";
  for (char ch : s) q += ch == '\'' ? std::string("'\\''") : std::string(1, ch);
  return q + "'";
}

const Field* find_field(std::string key) {
  for (char& ch : key)
    if (ch == '-') ch = '_';
  for (const auto& f : train_fields())
    if (key == f.name) return &f;
  return nullptr;
}

std::string field_names() {
  std::string s;
  for (const auto& f : train_fields()) s += (s.empty() ? "" : ", ") + std::string(f.name);
  return s;
}

// Sets a field from a JSON value of the matching type; `where` prefixes errors.
void set_from_json(const Field& f, TrainConfig& c, const json& v, const std::string& where) {
  std::visit(
      [&](auto get) {
        auto& ref = get(c);
        using T = std::remove_reference_t<decltype(ref)>;
        if constexpr (std::is_same_v<T, std::string>) {
          if (!v.is_string()) fail(where + ": '" + f.name + "' needs a string, got " + v.dump());
          ref = v.get<std::string>();
        } else if constexpr (std::is_same_v<T, bool>) {
          if (!v.is_boolean())
            fail(where + ": '" + f.name + "' needs true or false, got " + v.dump());
          ref = v.get<bool>();
        } else if constexpr (std::is_same_v<T, double>) {
          if (!v.is_number()) fail(where + ": '" + f.name + "' needs a number, got " + v.dump());
          ref = v.get<double>();
        } else {
          if (!v.is_number_integer())
            fail(where + ": '" + f.name + "' needs an integer, got " + v.dump());
          const std::string why = parse_into(f, c, v.dump());  // range-checked
          if (!why.empty()) fail(where + ": '" + f.name + "' = " + v.dump() + ": " + why);
        }
      },
      f.ref);
}

// A TOML basic string: json::dump quotes and escapes the way TOML needs, except DEL (U+007F),
// a control character TOML requires escaped and JSON leaves alone.
std::string toml_string(const std::string& v) {
  std::string out;
  for (char ch : json(v).dump()) out += ch == '\x7f' ? std::string("\\u007f") : std::string(1, ch);
  return out;
}

// The lm dimensions a named size sets (models::resolve).
struct SizeDim {
  const char* field;
  int models::NamedSize::*preset;
  int ModelConfig::*model;
};
constexpr SizeDim kSizeDims[] = {
    {"layers", &models::NamedSize::layers, &ModelConfig::layers},
    {"d_model", &models::NamedSize::d_model, &ModelConfig::d_model},
    {"heads", &models::NamedSize::heads, &ModelConfig::heads},
    {"ffn", &models::NamedSize::ffn, &ModelConfig::ffn},
    {"seq", &models::NamedSize::seq, &ModelConfig::seq},
};

// One source's named size (`given`: the fields that source set) fills the dimensions the same
// source leaves out; a dimension given explicitly wins. A size whose dimensions no longer all
// hold is cleared: the model is not that size any more, and models::resolve would put the
// size's dimensions back over the explicit ones.
void apply_named_size(TrainConfig& c, const std::vector<const Field*>& given) {
  const models::NamedSize* size = nullptr;
  for (const auto& s : models::lm_sizes())
    if (c.model.size == s.name) size = &s;
  if (!size) return;  // none, or unknown: models::resolve names the valid sizes
  auto is_given = [&](const char* name) {
    for (const Field* f : given)
      if (std::string(f->name) == name) return true;
    return false;
  };
  bool holds = true;
  for (const SizeDim& d : kSizeDims) {
    if (is_given("size") && !is_given(d.field)) c.model.*d.model = size->*d.preset;
    holds = holds && c.model.*d.model == size->*d.preset;
  }
  if (!holds) c.model.size.clear();
}

json toml_value(const toml::node& n, const std::string& where) {
  if (const auto* s = n.as_string()) return s->get();
  if (const auto* i = n.as_integer()) return i->get();
  if (const auto* x = n.as_floating_point()) return x->get();
  if (const auto* b = n.as_boolean()) return b->get();
  fail(where + ": needs a string, number or boolean");
}

}  // namespace

const std::vector<Field>& train_fields() {
  static const std::vector<Field> fields = {
      LOWP_FIELD("model", model.kind, R | kAnyModel, "model kind: lm | mlp_teacher | linreg"),
      LOWP_FIELD(
          "size", model.size, R | kAnyModel,
          "named lm size (tiny, small, base, ...): sets layers, d_model, heads, ffn and seq, "
          "except those given too; empty: the dimensions below"),
      LOWP_FIELD("layers", model.layers, R | kLm, "transformer blocks"),
      LOWP_FIELD("d_model", model.d_model, R | kLm, "model width"),
      LOWP_FIELD("heads", model.heads, R | kLm, "attention heads"),
      LOWP_FIELD("ffn", model.ffn, R | kLm, "MLP hidden width; 0: the SwiGLU default"),
      LOWP_FIELD("vocab", model.vocab, R | kLm, "vocabulary size (byte tokens: 256)"),
      LOWP_FIELD("seq", model.seq, R | kLm, "context length T (tokens per sequence)"),
      LOWP_FIELD("tied_embeddings", model.tied_embeddings, R | kLm,
                 "share the embedding table with the output head"),
      LOWP_FIELD("d_in", model.d_in, R | kMlp, "mlp_teacher: input width"),
      LOWP_FIELD("width", model.width, R | kMlp, "mlp_teacher: student width"),
      LOWP_FIELD("depth", model.depth, R | kMlp, "mlp_teacher: student residual blocks"),
      LOWP_FIELD("teacher_width", model.teacher_width, R | kMlp, "mlp_teacher: teacher width"),
      LOWP_FIELD("teacher_depth", model.teacher_depth, R | kMlp, "mlp_teacher: teacher layers"),
      LOWP_FIELD("ambient_dim", model.ambient_dim, R | kLinreg, "linreg: ambient dimension"),
      LOWP_FIELD("sketch_dim", model.sketch_dim, R | kLinreg, "linreg: sketch dimension"),
      LOWP_FIELD("spectrum_exponent", model.spectrum_exponent, R | kLinreg,
                 "linreg: power-law exponent of the feature spectrum"),
      LOWP_FIELD("noise", model.noise, R | kLinreg, "linreg: label noise standard deviation"),
      LOWP_FIELD("recipe", recipe, R | kAnyModel,
                 "precision recipe: a preset name or a .toml/.json file"),
      LOWP_FIELD("batch", batch, R | kAnyModel, "sequences (or samples) per step"),
      LOWP_FIELD("steps", steps, R | kAnyModel, "optimizer steps"),
      LOWP_FIELD("lr", schedule.lr, R | kAnyModel, "peak learning rate"),
      LOWP_FIELD("warmup", schedule.warmup, R | kAnyModel, "linear warmup steps"),
      LOWP_FIELD("final_lr_frac", schedule.final_lr_frac, R | kAnyModel,
                 "cosine floor as a fraction of --lr (1: constant)"),
      LOWP_FIELD("optimizer", optim.name, R | kAnyModel,
                 "auto (the recipe's choice, else adamw) | adamw | sgd"),
      LOWP_FIELD("beta1", optim.beta1, R | kAnyModel, "AdamW first-moment decay"),
      LOWP_FIELD("beta2", optim.beta2, R | kAnyModel, "AdamW second-moment decay"),
      LOWP_FIELD("eps", optim.eps, R | kAnyModel, "AdamW epsilon"),
      LOWP_FIELD("momentum", optim.momentum, R | kAnyModel, "SGD momentum (0: plain SGD)"),
      LOWP_FIELD("weight_decay", optim.weight_decay, R | kAnyModel,
                 "weight decay of matrices (AdamW: decoupled; SGD: L2)"),
      LOWP_FIELD("clip", optim.clip, R | kAnyModel, "global gradient-norm clip (0: off)"),
      LOWP_FIELD("seed", seed, R | kAnyModel,
                 "seeds weights, data split, batch order and stochastic rounding"),
      LOWP_FIELD("data", data, R | kLm, "UTF-8 text file (byte tokens); empty: the bundled KJV"),
      LOWP_FIELD("val_fraction", val_fraction, R | kLm,
                 "share of the corpus held out for validation"),
      LOWP_FIELD("val_batches", val_batches, R | kAnyModel, "validation batches per evaluation"),
      LOWP_FIELD("diverge_factor", diverge_factor, R | kAnyModel,
                 "stop when the loss exceeds this many times the first step's (0: never)"),
      LOWP_FIELD("eval_every", eval_every, kAnyModel,
                 "evaluate every K steps (0: at the end only)"),
      LOWP_FIELD("study", study, kAnyModel, "the study the run belongs to in the results store"),
      LOWP_FIELD("threads", threads, kAnyModel, "threads (results are identical for any count)"),
      LOWP_FIELD("db", db, kAnyModel, "results store (SQLite file)"),
      LOWP_FIELD("out", out, kAnyModel, "checkpoint directory (empty: no checkpoints)"),
      LOWP_FIELD("checkpoint_every", checkpoint_every, kAnyModel,
                 "write ckpt-<step>.bin to --out every K steps (0: never)"),
      LOWP_FIELD("resume", resume, kAnyModel, "continue from the latest checkpoint in --out"),
  };
  return fields;
}

std::string flag_name(const Field& f) {
  std::string s = std::string("--") + f.name;
  for (char& ch : s)
    if (ch == '_') ch = '-';
  return s;
}

bool field_applies(const Field& f, const std::string& model_kind) {
  const unsigned kind = model_kind == "lm"            ? kLm
                        : model_kind == "mlp_teacher" ? kMlp
                        : model_kind == "linreg"      ? kLinreg
                                                      : kAnyModel;
  return (f.flags & kind) != 0;
}

std::string field_text(const Field& f, const TrainConfig& c) {
  return std::visit(
      [&](auto get) -> std::string {
        const auto& v = get(const_cast<TrainConfig&>(c));
        using T = std::remove_cvref_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::string>)
          return v;
        else if constexpr (std::is_same_v<T, bool>)
          return v ? "true" : "false";
        else if constexpr (std::is_same_v<T, double>)
          return number_text(v);
        else
          return std::to_string(v);
      },
      f.ref);
}

void set_field(const Field& f, TrainConfig& c, const std::string& text) {
  const std::string why = parse_into(f, c, text);
  if (!why.empty()) fail(flag_name(f) + " " + shell_word(text) + ": " + why);
}

std::vector<const Field*> load_config_file(TrainConfig& c, const std::string& path) {
  std::string why;
  const auto read = read_file(path, why);
  if (!read) fail("config file " + path + ": cannot open it (it " + why + ")");
  return load_config_text(c, *read, path);
}

std::vector<const Field*> load_config_text(TrainConfig& c, std::string_view text,
                                           const std::string& path) {
  json doc;
  const size_t first = text.find_first_not_of(" \t\r\n");
  if (first != std::string_view::npos && text[first] == '{') {
    try {
      doc = json::parse(text);
    } catch (const json::exception& e) {  // also out_of_range: a number beyond double's range
      fail("config file " + path + ": invalid JSON: " + e.what());
    }
    if (!doc.is_object()) fail("config file " + path + ": needs a JSON object of keys");
  } else {
    try {
      const toml::table t = toml::parse(text, std::string_view(path));
      doc = json::object();
      for (const auto& [k, v] : t)
        doc[std::string(k.str())] = toml_value(v, path + ": '" + std::string(k.str()) + "'");
    } catch (const toml::parse_error& e) {
      const auto& b = e.source().begin;
      fail("config file " + path + ":" + std::to_string(b.line) + ":" + std::to_string(b.column) +
           ": invalid TOML: " + std::string(e.description()));
    }
  }
  std::vector<const Field*> given;
  for (const auto& [k, v] : doc.items()) {
    const Field* f = find_field(k);
    if (!f) fail("config file " + path + ": unknown key '" + k + "'; valid keys: " + field_names());
    set_from_json(*f, c, v, "config file " + path);
    given.push_back(f);
  }
  return given;
}

TrainConfig layered_config(const TrainConfig& defaults, const std::string& config_file,
                           const std::vector<Setting>& flags) {
  TrainConfig c = defaults;
  if (!config_file.empty()) apply_named_size(c, load_config_file(c, config_file));
  std::vector<const Field*> given;
  for (const auto& s : flags) {
    set_field(*s.field, c, s.text);
    given.push_back(s.field);
  }
  apply_named_size(c, given);
  return c;
}

std::string config_to_json(const TrainConfig& c) {
  json j = json::object();
  for (const auto& f : train_fields()) {
    std::visit([&](auto get) { j[f.name] = get(const_cast<TrainConfig&>(c)); }, f.ref);
  }
  return j.dump();
}

std::string config_to_toml(const TrainConfig& c) {
  std::string out;
  for (const auto& f : train_fields()) {
    std::visit(
        [&](auto get) {
          const auto& v = get(const_cast<TrainConfig&>(c));
          using T = std::remove_cvref_t<decltype(v)>;
          std::string text = field_text(f, c);
          if constexpr (std::is_same_v<T, std::string>) {
            text = toml_string(v);
          } else if constexpr (std::is_same_v<T, double>) {
            // Shortest round-trip text can look like an integer ("5", "12345678901234567000");
            // TOML would read it as one and reject those beyond 64 bits, so make it a float.
            if (text.find_first_of(".eEn") == std::string::npos) text += ".0";
          }
          out.append(f.name).append(" = ").append(text).append("\n");
        },
        f.ref);
  }
  return out;
}

TrainConfig config_from_json(const std::string& text) {
  TrainConfig c;
  json doc;
  try {
    doc = json::parse(text);
  } catch (const json::exception& e) {
    fail(std::string("stored config is not valid JSON: ") + e.what());
  }
  for (const auto& [k, v] : doc.items()) {
    const Field* f = find_field(k);
    if (!f) fail("stored config has unknown field '" + k + "' (written by another lowp version?)");
    set_from_json(*f, c, v, "stored config");
  }
  return c;
}

void check_config(const TrainConfig& c) {
  auto need = [](bool ok, const std::string& what) {
    if (!ok) fail(what);
  };
  const ModelConfig& m = c.model;
  need(m.kind == "lm" || m.kind == "mlp_teacher" || m.kind == "linreg",
       "--model " + m.kind + ": unknown model kind; valid: lm, mlp_teacher, linreg");
  need(c.batch >= 1, "--batch " + std::to_string(c.batch) + ": needs at least 1");
  need(c.steps >= 1, "--steps " + std::to_string(c.steps) + ": needs at least 1");
  if (m.kind == "lm") {
    need(m.seq >= 1, "--seq " + std::to_string(m.seq) + ": needs at least 1");
    need(m.vocab == 256, "--vocab " + std::to_string(m.vocab) +
                             ": the text corpus is byte tokens; use --vocab 256");
    need(c.val_fraction > 0 && c.val_fraction < 1,
         "--val-fraction " + number_text(c.val_fraction) + ": needs a fraction in (0, 1)");
  }
  need(c.val_batches >= 1, "--val-batches " + std::to_string(c.val_batches) + ": needs at least 1");
  need(c.eval_every >= 0, "--eval-every " + std::to_string(c.eval_every) + ": needs 0 or more");
  need(c.diverge_factor >= 0, "--diverge-factor " + number_text(c.diverge_factor) +
                                  ": needs 0 (off) or a positive factor");
  need(c.threads >= 1 && c.threads <= 256,
       "--threads " + std::to_string(c.threads) + ": needs 1 to 256");
  need(c.seed <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max()),
       "--seed " + std::to_string(c.seed) + ": needs at most 2^63-1");
  need(!c.recipe.empty(), "--recipe is empty; name a preset or a recipe file");
  need(!c.db.empty(), "--db is empty; name the results store file (default runs.db)");
  need(c.checkpoint_every >= 0,
       "--checkpoint-every " + std::to_string(c.checkpoint_every) + ": needs 0 or more");
  need(c.checkpoint_every == 0 || !c.out.empty(),
       "--checkpoint-every needs --out DIR (where ckpt-<step>.bin files go)");
  need(!c.resume || !c.out.empty(), "--resume needs --out DIR (the run's checkpoint directory)");
  check_schedule(c.schedule, c.steps);
  check_optim(c.optim);
  need(c.optim.name == "auto" || c.optim.name == "adamw" || c.optim.name == "sgd",
       "--optimizer " + c.optim.name + ": unknown optimizer; valid: auto, adamw, sgd");
}

std::vector<Column> config_columns(const TrainConfig& c) {
  std::vector<Column> cols;
  for (const auto& f : train_fields()) {
    if (std::string(f.name) == "study") continue;  // the store keeps it as the run's study
    std::visit(
        [&](auto get) {
          const auto& v = get(const_cast<TrainConfig&>(c));
          using T = std::remove_cvref_t<decltype(v)>;
          if constexpr (std::is_same_v<T, std::string> || std::is_same_v<T, double>)
            cols.push_back({f.name, v});
          else
            cols.push_back({f.name, static_cast<int64_t>(v)});
        },
        f.ref);
  }
  return cols;
}

std::string reproduce_command(const TrainConfig& c) {
  std::string cmd = "lowp train";
  for (const auto& f : train_fields()) {
    if (!field_applies(f, c.model.kind) || std::string(f.name) == "resume") continue;
    const std::string v = field_text(f, c);
    if (v.empty()) continue;  // empty strings are the defaults (bundled data, no --out)
    if (v == "true" || v == "false") {
      cmd += v == "true" ? " --" : " --no-";
      cmd += flag_name(f).substr(2);
    } else {
      cmd.append(" ").append(flag_name(f)).append(" ").append(shell_word(v));
    }
  }
  return cmd;
}

std::vector<std::string> result_differences(const TrainConfig& saved, const TrainConfig& now) {
  std::vector<std::string> out;
  for (const auto& f : train_fields()) {
    if (!(f.flags & kResult)) continue;
    const std::string a = field_text(f, saved), b = field_text(f, now);
    if (a != b) out.push_back(flag_name(f) + ": '" + a + "' (checkpoint) vs '" + b + "' (now)");
  }
  return out;
}

}  // namespace lowp
