// beast-client: Autobahn fuzzingserver driver for the Boost.Beast client (Debian's libboost-dev), run by
// @wsmatrix/targets as
//
//   beast-client BASE_URL AGENT [--plan]
//
// Beast ships no Autobahn client driver of its own; this one follows the fuzzingserver protocol: the count
// from /getCaseCount, then one /runCase connection after the other, each a synchronous websocket::stream
// (Beast's defaults) that reads a message and writes it back with its type until the stream reports the
// close, then /updateReports. With --plan the driver asks wsmatrix's /getCasePlan instead (an extension
// Autobahn does not have) and plays its phases one after the other, at most `concurrency` cases of a phase
// open at once, each on a thread of its own.
//
// Build: c++ -O2 -o beast-client beast-client.cpp fuzzing-plan.c -pthread (fuzzing-plan.c compiled as C++)

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <boost/version.hpp>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "fuzzing-plan.h"

namespace net = boost::asio;
namespace websocket = boost::beast::websocket;
using tcp = net::ip::tcp;
using error_code = boost::system::error_code;

namespace {

struct Endpoint {
  base_url base;
  std::string agent;  // query-encoded
};

// Opens a WebSocket connection to `path` (below the base URL's prefix) and hands it to `use`; returns the
// first error of the connection, the handshake or `use` (websocket::error::closed for a clean close).
template <class Use>
error_code with_connection(const Endpoint& endpoint, const std::string& path, Use&& use) {
  net::io_context ioc;
  tcp::resolver resolver{ioc};
  websocket::stream<tcp::socket> ws{ioc};
  error_code ec;
  auto results = resolver.resolve(endpoint.base.host, std::to_string(endpoint.base.port), ec);
  if (ec) return ec;
  net::connect(ws.next_layer(), results, ec);
  if (ec) return ec;
  std::string host = endpoint.base.host;
  if (host.find(':') != std::string::npos) host = "[" + host + "]";
  ws.handshake(host + ":" + std::to_string(endpoint.base.port), endpoint.base.prefix + path, ec);
  if (ec) return ec;
  return use(ws);
}

// The first message of an endpoint that answers with one (the count, the plan), read until the close.
bool ask(const Endpoint& endpoint, const std::string& path, std::string& answer) {
  bool got = false;
  with_connection(endpoint, path, [&](websocket::stream<tcp::socket>& ws) {
    error_code ec;
    for (;;) {
      boost::beast::flat_buffer buffer;
      ws.read(buffer, ec);
      if (ec) return ec;
      if (!got) answer = boost::beast::buffers_to_string(buffer.data());
      got = true;
    }
  });
  return got;
}

std::mutex output;

void play_case(const Endpoint& endpoint, int n, size_t total) {
  {
    std::lock_guard<std::mutex> lock{output};
    std::printf("Running test case %d/%zu\n", n, total);
    std::fflush(stdout);
  }
  std::string path = "/runCase?case=" + std::to_string(n) + "&agent=" + endpoint.agent;
  error_code ec = with_connection(endpoint, path, [](websocket::stream<tcp::socket>& ws) {
    error_code ec;
    for (;;) {
      boost::beast::flat_buffer buffer;
      ws.read(buffer, ec);
      if (ec) return ec;
      ws.text(ws.got_text());
      ws.write(buffer.data(), ec);
      if (ec) return ec;
    }
  });
  // A case may end in an error on purpose (an invalid frame or handshake): say so and go on.
  if (ec && ec != websocket::error::closed) {
    std::lock_guard<std::mutex> lock{output};
    std::fprintf(stderr, "case %d: %s\n", n, ec.message().c_str());
  }
}

void play_phase(const Endpoint& endpoint, const plan_phase& phase, size_t total) {
  std::mutex taking;
  size_t next = 0;
  auto worker = [&] {
    for (;;) {
      size_t index;
      {
        std::lock_guard<std::mutex> lock{taking};
        if (next == phase.case_count) return;
        index = next++;
      }
      play_case(endpoint, phase.cases[index], total);
    }
  };
  size_t workers = std::max<size_t>(1, std::min<size_t>(static_cast<size_t>(phase.concurrency), phase.case_count));
  if (workers == 1) return worker();
  std::vector<std::thread> threads;
  for (size_t i = 0; i < workers; i++) threads.emplace_back(worker);
  for (auto& t : threads) t.join();
}

int usage(const char* problem) {
  std::fprintf(stderr, "beast-client: %s (usage: beast-client BASE_URL AGENT [--plan])\n", problem);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  int args = argc - 1;
  bool planned = args > 0 && !std::strcmp(argv[argc - 1], "--plan");
  if (planned) args--;
  if (args != 2) return usage("expected BASE_URL and AGENT");
  Endpoint endpoint;
  if (base_url_parse(argv[1], &endpoint.base) != 0) return usage("BASE_URL must be ws://HOST:PORT");
  char* agent = query_encode(argv[2]);
  if (!agent) return 1;
  endpoint.agent = agent;
  std::free(agent);

  std::string asked = planned ? "/getCasePlan" : "/getCaseCount";
  std::string answer;
  case_plan plan;
  bool parsed = ask(endpoint, asked, answer) &&
                (planned ? case_plan_parse(answer.c_str(), &plan)
                         : case_plan_sequential(std::atol(answer.c_str()), &plan)) == 0;
  if (!parsed) {
    std::fprintf(stderr, "no %s from ws://%s:%d%s%s\n", planned ? "case plan" : "case count", endpoint.base.host,
                 endpoint.base.port, endpoint.base.prefix, asked.c_str());
    return 1;
  }
  for (size_t i = 0; i < plan.phase_count; i++) play_phase(endpoint, plan.phases[i], plan.case_total);
  std::printf("Ran %zu test cases (Boost.Beast, Boost %d.%d.%d)\n", plan.case_total, BOOST_VERSION / 100000,
              BOOST_VERSION / 100 % 1000, BOOST_VERSION % 100);
  std::fflush(stdout);
  case_plan_free(&plan);

  auto until_closed = [](websocket::stream<tcp::socket>& ws) {
    error_code ec;
    boost::beast::flat_buffer buffer;
    while (!ec) ws.read(buffer, ec);
    return ec;
  };
  error_code ec = with_connection(endpoint, "/updateReports?agent=" + endpoint.agent, until_closed);
  if (ec && ec != websocket::error::closed) {
    std::fprintf(stderr, "/updateReports failed: %s\n", ec.message().c_str());
    return 1;
  }
  return 0;
}
