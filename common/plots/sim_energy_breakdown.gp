# Energy of one `wrpn sim` run by component, log axis (DRAM and the MACs differ by orders of magnitude).
# Data: energy_components.csv (column 1 component, 2 energy_uj).
reset
set terminal pngcairo size 1000,520 noenhanced
set datafile separator ','
set style data histograms
set style histogram clustered
set style fill solid 0.85 border -1
set grid ytics
set xtics rotate by -30
set logscale y
set output 'energy_breakdown.png'
set title @TITLE@
set xlabel @XLABEL@
set ylabel @YLABEL@
plot 'energy_components.csv' every ::1 using 2:xtic(1) notitle
