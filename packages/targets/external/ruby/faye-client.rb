# Autobahn fuzzingserver driver for faye-websocket's client (Debian's ruby-faye-websocket), run by
# @wsmatrix/targets as
#
#   ruby faye-client.rb BASE_URL AGENT [--plan]
#
# the way faye's own examples/autobahn_client.rb drives it, inside one EM.run: read /getCaseCount, run each case
# once the last one has closed, echoing every message (a String goes back as text, an Array of bytes as
# binary), then /updateReports and wait for its close. With --plan it asks wsmatrix's /getCasePlan instead (an
# extension Autobahn does not have) and plays its phases one after the other, at most `concurrency` cases of a
# phase open at once.
require 'erb'
require 'json'
require 'faye/websocket'

args = ARGV.dup
planned = args.last == '--plan'
args.pop if planned
if args.length != 2
  warn 'usage: ruby faye-client.rb BASE_URL AGENT [--plan]'
  exit 2
end
BASE = args[0].sub(%r{/+\z}, '')
AGENT = ERB::Util.url_encode(args[1])
$stdout.sync = true

# One driver run: the cases to play, in phases, and what is left of them.
class Driver
  def initialize(planned)
    @planned = planned
    @total = 0
    @failure = nil
  end

  attr_reader :failure

  def start
    path = @planned ? '/getCasePlan' : '/getCaseCount'
    answer = nil
    ws = Faye::WebSocket::Client.new("#{BASE}#{path}")
    ws.on(:message) { |event| answer ||= event.data }
    ws.on(:close) do
      phases = @planned ? parse_plan(answer) : count_phase(answer)
      if phases
        @total = phases.sum { |p| p[:cases].length }
        play_phases(phases)
      else
        stop("no #{@planned ? 'case plan' : 'case count'} from #{BASE}#{path}")
      end
    end
  end

  private

  def count_phase(answer)
    count = Integer(answer.to_s.strip, exception: false)
    count&.positive? ? [{ cases: (1..count).to_a, concurrency: 1 }] : nil
  end

  def parse_plan(answer)
    phases = JSON.parse(answer.to_s)['phases']
    return nil unless phases.is_a?(Array)

    phases.map do |p|
      cases = p['cases']
      concurrency = p['concurrency']
      return nil unless cases.is_a?(Array) && cases.all?(Integer) && concurrency.is_a?(Integer)

      { cases: cases, concurrency: concurrency }
    end
  rescue JSON::ParserError, TypeError, NoMethodError
    nil
  end

  def play_phases(phases)
    return update_reports if phases.empty?

    phase, *rest = phases
    pending = phase[:cases].dup
    open = 0
    start_next = lambda do
      while open < [phase[:concurrency], 1].max && !pending.empty?
        open += 1
        play_case(pending.shift) do
          open -= 1
          if pending.empty? && open.zero?
            play_phases(rest)
          else
            start_next.call
          end
        end
      end
    end
    start_next.call
  end

  def play_case(n, &closed)
    puts "Running test case #{n}/#{@total}"
    ws = Faye::WebSocket::Client.new("#{BASE}/runCase?case=#{n}&agent=#{AGENT}")
    ws.on(:message) { |event| ws.send(event.data) }
    # A case may end in an error on purpose (an invalid frame); the close that follows moves on.
    ws.on(:close) { EM.next_tick(&closed) }
  end

  def update_reports
    ws = Faye::WebSocket::Client.new("#{BASE}/updateReports?agent=#{AGENT}")
    opened = false
    ws.on(:open) { opened = true }
    ws.on(:close) { stop(opened ? nil : "could not ask #{BASE}/updateReports") }
  end

  def stop(failure)
    @failure = failure
    EM.stop
  end
end

driver = Driver.new(planned)
EM.run { driver.start }
if driver.failure
  warn driver.failure
  exit 1
end
