# The chart of bench/run_compare.sh: events/s of raw RocksDB, Oversight and
# PostgreSQL per workload, on a log scale.
#   gnuplot -e "datafile='compare.dat'" -e "outfile='compare.svg'" \
#     bench/compare_chart.gp
set terminal svg size 900,500 dynamic font "sans,12" background rgb "white"
set output outfile
set title "Oversight against raw RocksDB and a PostgreSQL event store"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set logscale y
set yrange [100:*]
set ylabel "events/s (log scale, higher is better)"
set grid ytics
set key top left
plot datafile using 2:xtic(1) title "raw RocksDB (synced)" lc rgb "#7f7f7f", \
     '' using 3 title "Oversight over gRPC" lc rgb "#1f77b4", \
     '' using 4 title "PostgreSQL 15 (Message DB pattern)" lc rgb "#d62728"
