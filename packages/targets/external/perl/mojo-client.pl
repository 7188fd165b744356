#!/usr/bin/perl
# Autobahn fuzzingserver driver for Mojolicious's client, Mojo::UserAgent (Debian's libmojolicious-perl), run by
# @wsmatrix/targets as
#
#   perl mojo-client.pl BASE_URL AGENT [--plan]
#
# On one Mojo::IOLoop: read /getCaseCount, run each case once the last one has finished, echoing every message
# with its type (the text and binary events hand over the bytes), then /updateReports and wait for its end.
# With --plan it asks wsmatrix's /getCasePlan instead (an extension Autobahn does not have) and plays its phases
# one after the other, at most `concurrency` cases of a phase open at once.
#
# Each connection gets a Mojo::UserAgent of its own (default settings). One shared agent would send a case's
# upgrade over a kept-alive connection that an earlier case's refused handshake left open, and the
# fuzzingserver, which plays one case per connection, would never see that case.
use Mojo::Base -strict, -signatures;
use Mojo::IOLoop;
use Mojo::JSON qw(decode_json);
use Mojo::UserAgent;
use Mojo::Util qw(url_escape);

my @args    = @ARGV;
my $planned = @args && $args[-1] eq '--plan';
pop @args if $planned;
if (@args != 2) {
  say STDERR 'usage: perl mojo-client.pl BASE_URL AGENT [--plan]';
  exit 2;
}
my ($base, $agent) = @args;
$base =~ s{/+\z}{};
$agent = url_escape $agent;
STDOUT->autoflush(1);

my ($total, $failure) = (0);
# The agents of the connections not finished yet: an agent that goes out of scope drops its connections.
my %agents;

sub stop ($problem) {
  $failure = $problem;
  Mojo::IOLoop->stop;
}

# Opens `path`; $on_open gets the transaction once it is a WebSocket, $on_end is called once it has finished
# (or at once when the upgrade failed, with its error).
sub open_ws ($path, $on_open, $on_end) {
  my $ua = Mojo::UserAgent->new;
  $agents{$ua} = $ua;
  my $end = sub ($error) {
    delete $agents{$ua};
    $on_end->($error);
  };
  $ua->websocket(
    "$base$path" => sub ($ua, $tx) {
      unless ($tx->is_websocket) {
        my $error = $tx->error // {message => 'no WebSocket'};
        return $end->("$path: $error->{message}");
      }
      $tx->on(finish => sub { $end->(undef) });
      $on_open->($tx);
    }
  );
}

sub play_case ($n, $done) {
  say "Running test case $n/$total";
  open_ws(
    "/runCase?case=$n&agent=$agent",
    sub ($tx) {
      $tx->on(text   => sub ($tx, $bytes) { $tx->send({text   => $bytes}) });
      $tx->on(binary => sub ($tx, $bytes) { $tx->send({binary => $bytes}) });
    },
    sub ($error) {
      # A refused or failed case is the fuzzingserver's to judge; on to the next one.
      say STDERR $error if defined $error;
      Mojo::IOLoop->next_tick($done);
    }
  );
}

sub play_phases (@phases) {
  return update_reports() unless @phases;
  my $phase   = shift @phases;
  my @pending = @{$phase->{cases}};
  my $limit   = $phase->{concurrency} > 1 ? $phase->{concurrency} : 1;
  my $open    = 0;
  my $start_next;
  $start_next = sub {
    while ($open < $limit && @pending) {
      $open++;
      play_case(
        shift(@pending),
        sub {
          $open--;
          if (!@pending && !$open) { undef $start_next; play_phases(@phases) }
          else                     { $start_next->() }
        }
      );
    }
  };
  $start_next->();
}

sub update_reports {
  open_ws("/updateReports?agent=$agent", sub ($tx) { }, sub ($error) { stop($error ? "could not ask $error" : undef) });
}

sub phases_from ($answer) {
  return undef unless defined $answer;
  unless ($planned) {
    return undef unless $answer =~ /\A\s*([1-9][0-9]*)\s*\z/;
    return [{cases => [1 .. $1], concurrency => 1}];
  }
  my $plan = eval { decode_json($answer) };
  return undef unless ref $plan eq 'HASH' && ref $plan->{phases} eq 'ARRAY';
  for my $phase (@{$plan->{phases}}) {
    return undef unless ref $phase eq 'HASH' && ref $phase->{cases} eq 'ARRAY';
    return undef if grep { !defined || !/\A[0-9]+\z/ } @{$phase->{cases}}, $phase->{concurrency};
  }
  return $plan->{phases};
}

my $question = $planned ? '/getCasePlan' : '/getCaseCount';
my $answer;
open_ws(
  $question,
  sub ($tx) {
    $tx->on(text => sub ($tx, $bytes) { $answer //= $bytes });
  },
  sub ($error) {
    my $phases = phases_from($answer);
    return stop("no @{[$planned ? 'case plan' : 'case count']} from $base$question") unless $phases;
    $total += @{$_->{cases}} for @$phases;
    play_phases(@$phases);
  }
);

Mojo::IOLoop->start;
if (defined $failure) {
  say STDERR $failure;
  exit 1;
}
exit 0;
