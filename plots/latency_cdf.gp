# latency_cdf: cumulative distribution of time to first token and of end-to-end latency,
# one line per variant (replication 1).
#
# haisim writes the variables above this line:
#   datafile   the .dat file: column 1 = cumulative probability p; then, per variant i,
#              column 2i = end-to-end latency and column 2i+1 = TTFT at quantile p (ms)
#   outfile    the image to write; terminal_name / terminal_size (expanded as macros
#              with @) pick its format
#   chart_title, variants (space-separated names), nvariants
# Edit freely and rerun with: gnuplot <this file>
set terminal @terminal_name size @terminal_size noenhanced font 'Sans,11'
set output outfile
set multiplot layout 1,2 title chart_title
set key bottom right
set grid
set logscale x
set yrange [0:1]
set ylabel 'fraction of requests'
set xlabel 'time to first token at the user (s)'
plot for [i=1:nvariants] datafile using (column(2*i+1)/1000.0):1 \
     with lines linewidth 2 title word(variants, i)
set xlabel 'end-to-end latency at the user (s)'
plot for [i=1:nvariants] datafile using (column(2*i)/1000.0):1 \
     with lines linewidth 2 title word(variants, i)
unset multiplot
