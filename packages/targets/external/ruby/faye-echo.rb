# WebSocket echo server on faye-websocket (Debian's ruby-faye-websocket) in a Rack app served by Thin (Debian's
# thin, on EventMachine), used as an external matrix target by @wsmatrix/targets:
#
#   ruby faye-echo.rb --host 127.0.0.1 --port 9001
#
# The Rack setup of faye-websocket's README: Faye::WebSocket.load_adapter('thin'), and for a request that
# Faye::WebSocket.websocket? accepts, Faye::WebSocket.new(env) whose :message events are sent back. A text
# message arrives as a String and goes back as text; a binary one arrives as an Array of bytes and goes back
# as binary. Pings, the close handshake and UTF-8 checks are faye's (websocket-driver's). A request that is
# not a WebSocket upgrade is the app's to answer (faye leaves it to the app): 404, as Rack::File answers in
# faye's own Autobahn server (examples/app.rb) for a path it does not have.
require 'optparse'
require 'socket'
require 'faye/websocket'
require 'thin'

Faye::WebSocket.load_adapter('thin')

ECHO_APP = lambda do |env|
  if Faye::WebSocket.websocket?(env)
    ws = Faye::WebSocket.new(env)
    ws.on(:message) { |event| ws.send(event.data) }
    ws.on(:close) { ws = nil }
    ws.rack_response
  else
    [404, { 'Content-Type' => 'text/plain' }, ['not a WebSocket upgrade']]
  end
end

def usage(problem)
  warn "faye-echo: #{problem} (usage: ruby faye-echo.rb --host HOST --port PORT)"
  exit 2
end

host = '127.0.0.1'
port = nil
begin
  OptionParser.new do |o|
    o.on('--host HOST') { |v| host = v }
    o.on('--port PORT', Integer) { |v| port = v }
  end.parse!(ARGV)
rescue OptionParser::ParseError => e
  usage(e.message)
end
usage('--port is required') if port.nil? || port.negative? || port > 65_535
usage("unexpected argument #{ARGV.first}") unless ARGV.empty?

# Thin's start-up lines ("Thin web server", "Listening on") are not errors.
Thin::Logging.silent = true
$stdout.sync = true

begin
  Thin::Server.new(host, port, ECHO_APP).start
rescue RuntimeError => e
  # EventMachine says only "no acceptor"; binding once more names the reason (e.g. address already in use).
  reason = begin
    TCPServer.new(host, port).close
    e.message
  rescue SystemCallError => bind_error
    bind_error.message
  end
  warn "faye-echo: cannot listen on #{host}:#{port}: #{reason}"
  exit 1
end
