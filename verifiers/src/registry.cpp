#include "attncert/verifiers/registry.hpp"

#include <deque>
#include <set>
#include <stdexcept>

namespace attncert::verifiers {

// One declaration per entry of the list in cmake/theorems.cmake; each verify_<id>.cpp defines its own.
#define ATTNCERT_THEOREM(id) const Theorem& theorem_##id();
#include "attncert/theorem_list.inc"
#undef ATTNCERT_THEOREM

namespace {

std::vector<const Theorem*>& table() {
  static std::vector<const Theorem*> t = {
#define ATTNCERT_THEOREM(id) &theorem_##id(),
#include "attncert/theorem_list.inc"
#undef ATTNCERT_THEOREM
  };
  return t;
}

bool valid_id(const std::string& id) {
  if (id.empty() || id[0] < 'a' || id[0] > 'z') return false;
  for (char c : id)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  return true;
}

}  // namespace

const std::vector<const Theorem*>& theorems() { return table(); }

const Theorem* find_theorem(const std::string& id) {
  for (const Theorem* t : table())
    if (t->id == id) return t;
  return nullptr;
}

void register_theorem(Theorem t) {
  static std::deque<Theorem> extras;  // stable addresses
  if (!valid_id(t.id)) throw std::logic_error("register_theorem: invalid id '" + t.id + "'");
  if (find_theorem(t.id)) throw std::logic_error("register_theorem: id '" + t.id + "' is taken");
  if (t.checker.empty()) t.checker = "check_" + t.id;
  extras.push_back(std::move(t));
  table().push_back(&extras.back());
}

std::vector<std::string> suite_names() {
  std::set<std::string> names;
  for (const Theorem* t : table())
    for (const auto& [name, lines] : t->suites) names.insert(name);
  return {names.begin(), names.end()};
}

}  // namespace attncert::verifiers
