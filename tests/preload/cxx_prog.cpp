// C++ under the interposer: new/delete and STL containers go through
// malloc/free. Prints a checksum so the test can compare output.
#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <vector>

struct Node {
  int value;
  std::unique_ptr<Node> next;
};

int main() {
  std::vector<std::string> words;
  for (int i = 0; i < 1000; i++) words.push_back("word-number-" + std::to_string(i * 31));
  std::map<std::string, int> counts;
  for (const auto &w : words) counts[w.substr(0, 14)]++;
  std::unique_ptr<Node> head;
  for (int i = 0; i < 500; i++) head.reset(new Node{i, std::move(head)});
  long sum = 0;
  for (Node *n = head.get(); n; n = n->next.get()) sum += n->value;
  while (head) head = std::move(head->next);  // iterative, no deep recursion
  int *leak = new int[25];  // deliberately leaked: 100 bytes live at exit
  leak[0] = 1;
  std::printf("%zu %zu %ld\n", words.size(), counts.size(), sum);
  return 0;
}
