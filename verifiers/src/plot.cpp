// Plots next to their CSV (sweep.hpp): one gnuplot script rendered to SVG and PNG.
#include <cstdio>
#include <cstdlib>

#include "attncert/verifiers/atomic_file.hpp"
#include "attncert/verifiers/sweep.hpp"

namespace attncert::verifiers {

PlotFiles render_plot(const std::string& dir, const std::string& stem, const std::string& body) {
  PlotFiles p;
  if (std::system("command -v gnuplot >/dev/null 2>&1") != 0) return p;
  auto render = [&](const std::string& term, const std::string& ext) -> std::string {
    const std::string out = dir + "/" + stem + "." + ext, tmp = out + ".tmp.plot", script = dir + "/" + stem + "_" + ext + ".gp";
    write_file_atomic(script, "set terminal " + term + "\nset output '" + tmp + "'\n" + body);
    InterruptCleanup guard(tmp);
    const std::string cmd = "gnuplot '" + script + "' 2>/dev/null";
    if (std::system(cmd.c_str()) == 0 && std::rename(tmp.c_str(), out.c_str()) == 0) return out;
    std::remove(tmp.c_str());
    return "";
  };
  p.svg = render("svg size 1000,600 dynamic background rgb 'white' font 'sans,12'", "svg");
  p.png = render("pngcairo size 1000,600 font 'sans,11'", "png");
  return p;
}

void write_plots(const std::string& dir, const std::string& stem, const std::string& body) {
  const PlotFiles p = render_plot(dir, stem, body);
  for (const std::string* f : {&p.svg, &p.png})
    if (!f->empty()) std::printf("wrote %s\n", f->c_str());
}

}  // namespace attncert::verifiers
