#!/usr/bin/perl
# WebSocket echo server on Mojolicious (Debian's libmojolicious-perl): a Mojolicious::Lite websocket route served
# by its daemon, used as an external matrix target by @wsmatrix/targets:
#
#   perl mojo-echo.pl --host 127.0.0.1 --port 9001 [--deflate]
#
# The route matches every path. Its text and binary events hand over the message's bytes, which go back with the
# same type (the message event would decode text and lose the type of binary). Pings, the close handshake and
# the size limit are Mojolicious's. Mojolicious negotiates permessage-deflate only when the route asks for it
# with $c->tx->with_compression (its Cookbook's way): --deflate does that; without it the server declines.
use Mojo::Base -strict, -signatures;
use Getopt::Long qw(GetOptionsFromArray);
use Mojolicious::Lite;

sub usage ($problem) {
  say STDERR "mojo-echo: $problem (usage: perl mojo-echo.pl --host HOST --port PORT [--deflate])";
  exit 2;
}

my ($host, $port, $deflate) = ('127.0.0.1', undef, 0);
my @args = @ARGV;
{
  # Getopt::Long warns about each bad option; the first warning becomes the one line usage() prints.
  my @problems;
  local $SIG{__WARN__} = sub { push @problems, $_[0] =~ s/\s+\z//r };
  GetOptionsFromArray(\@args, 'host=s' => \$host, 'port=i' => \$port, 'deflate' => \$deflate)
    or usage($problems[0] // 'bad arguments');
}
usage('--port is required (0-65535)') unless defined $port && $port >= 0 && $port <= 65535;
usage("unexpected argument $args[0]") if @args;

# Errors only: the daemon's start-up line and per-request lines are not errors.
app->log->level('error');

websocket '/*any' => {any => ''} => sub ($c) {
  $c->tx->with_compression if $deflate;
  $c->on(text   => sub ($c, $bytes) { $c->send({text   => $bytes}) });
  $c->on(binary => sub ($c, $bytes) { $c->send({binary => $bytes}) });
};

app->start('daemon', '--listen', "http://$host:$port");
