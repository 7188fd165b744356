// beast-echo: a WebSocket echo server on Boost.Beast (Debian's libboost-dev, header-only with Boost.Asio
// and Boost.System), used as an external matrix target by @wsmatrix/targets.
//
// The shape of Beast's own synchronous example server: an acceptor, one thread per connection, and on it a
// websocket::stream that accepts the upgrade, then reads a message and writes it back with its type until
// the stream reports the close. The handshake, frames, ping/pong, the close handshake and, with --deflate,
// permessage-deflate are Beast's.
//
//   beast-echo --host 127.0.0.1 --port 9001 [--deflate]
//
// Build: c++ -O2 -o beast-echo beast-echo.cpp -pthread

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket/stream.hpp>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>

namespace net = boost::asio;
namespace websocket = boost::beast::websocket;
using tcp = net::ip::tcp;

namespace {

// Beast's own Autobahn server (example/websocket/server/fast) raises the message limit from its default of
// 16 MiB to this, so that Autobahn's largest messages fit.
constexpr std::size_t READ_MESSAGE_MAX = 64 * 1024 * 1024;

void echo_session(tcp::socket socket, bool deflate) {
  websocket::stream<tcp::socket> ws{std::move(socket)};
  if (deflate) {
    websocket::permessage_deflate pmd;
    pmd.server_enable = true;
    ws.set_option(pmd);
  }
  ws.read_message_max(READ_MESSAGE_MAX);
  boost::system::error_code ec;
  ws.accept(ec);
  // Errors end the session quietly: most are a test case's intended protocol violation, already
  // answered by Beast with its close frame.
  while (!ec) {
    boost::beast::flat_buffer buffer;
    ws.read(buffer, ec);
    if (ec) break;
    ws.text(ws.got_text());
    ws.write(buffer.data(), ec);
  }
}

int usage(const char* problem) {
  std::fprintf(stderr, "beast-echo: %s (usage: beast-echo --host HOST --port PORT [--deflate])\n", problem);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  const char* host = nullptr;
  long port = -1;
  bool deflate = false;
  for (int i = 1; i < argc; i++) {
    bool takes_value = !std::strcmp(argv[i], "--host") || !std::strcmp(argv[i], "--port");
    if (takes_value && i + 1 == argc)
      return usage(!std::strcmp(argv[i], "--host") ? "--host needs a value" : "--port needs a value");
    if (!std::strcmp(argv[i], "--host")) {
      host = argv[++i];
    } else if (!std::strcmp(argv[i], "--port")) {
      char* end;
      port = std::strtol(argv[++i], &end, 10);
      if (*end || port < 1 || port > 65535) return usage("--port must be 1-65535");
    } else if (!std::strcmp(argv[i], "--deflate")) {
      deflate = true;
    } else {
      return usage("unknown argument");
    }
  }
  if (!host || port < 0) return usage("--host and --port are required");

  boost::system::error_code ec;
  auto address = net::ip::make_address(host, ec);
  if (ec) return usage("--host must be an IP address");

  net::io_context ioc{1};
  tcp::acceptor acceptor{ioc};
  tcp::endpoint endpoint{address, static_cast<unsigned short>(port)};
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (ec) {
    std::fprintf(stderr, "beast-echo: cannot listen on %s:%ld: %s\n", host, port, ec.message().c_str());
    return 1;
  }
  for (;;) {
    tcp::socket socket{ioc};
    acceptor.accept(socket, ec);
    if (ec) {
      std::fprintf(stderr, "beast-echo: accept: %s\n", ec.message().c_str());
      return 1;
    }
    std::thread{echo_session, std::move(socket), deflate}.detach();
  }
}
