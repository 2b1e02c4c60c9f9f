import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./App";
import { endpoints } from "./config";
import { createServices, ServicesContext } from "./services";
import "./styles.css";

const services = createServices(endpoints());
services.live.start();

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <ServicesContext.Provider value={services}>
      <App />
    </ServicesContext.Provider>
  </StrictMode>,
);
