# bars: stacked bars per variant (and point): where the served requests ran, and how all
# requests ended.
#
# haisim writes the variables above this line:
#   datafile   the .dat file: label, then shares of served requests run on the device,
#              edge, cloud; then fractions of arrived requests completed, served by the
#              device after a link failure (fallback), failed on the network, rejected,
#              refused (no tier the request's privacy class allows could take it)
#   outfile    the image; terminal_name / terminal_size (expanded as macros with @) pick
#              its format (pngcairo or svg) and size in pixels
#   chart_title, nbars
# Edit freely and rerun with: gnuplot <this file>
set terminal @terminal_name size @terminal_size noenhanced font 'Sans,11'
set output outfile
set multiplot layout 1,2 title chart_title
set style data histograms
set style histogram rowstacked
set style fill solid 0.85 border -1
set boxwidth 0.7
set yrange [0:1.05]
set grid ytics
set key outside bottom center horizontal
set xtics rotate by -25 nomirror
set ytics nomirror
set border 3
set ylabel 'share of served requests'
set title 'where requests ran'
plot datafile using 2:xtic(1) title 'device' linecolor rgb '#4c72b0', \
     '' using 3 title 'edge' linecolor rgb '#dd8452', \
     '' using 4 title 'cloud' linecolor rgb '#55a868'
set ylabel 'fraction of arrived requests'
set title 'how requests ended'
plot datafile using 5:xtic(1) title 'completed' linecolor rgb '#55a868', \
     '' using 6 title 'fallback' linecolor rgb '#ccb974', \
     '' using 7 title 'failed (network)' linecolor rgb '#c44e52', \
     '' using 8 title 'rejected' linecolor rgb '#8172b3', \
     '' using 9 title 'refused (privacy)' linecolor rgb '#937860'
unset multiplot
